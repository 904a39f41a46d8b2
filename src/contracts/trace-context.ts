import type { IHeaders } from 'kafkajs';

/**
 * The W3C trace-context `traceparent` of an inbound message, fit to pass on,
 * or undefined. A header is other teams' input like the payload: before this
 * check a NUL byte in it reached the outbox (jsonb cannot store \u0000) and a
 * valid order was dead-lettered. Anything that is not of the W3C form is
 * dropped, never repaired; the event itself is applied either way.
 *
 * Written here rather than taken from @opentelemetry/core: the service does no
 * tracing of its own, and the rule is the recommendation's few lines
 * (https://www.w3.org/TR/trace-context/#traceparent-header):
 * version-traceid-parentid-flags in lower-case hex; version ff is invalid; an
 * all-zero trace id or parent id is invalid; a version above 00 may carry more
 * fields after a dash, and is passed on in the 00 form, the highest version
 * this implementation knows (as the recommendation says).
 */
const TRACEPARENT = /^(?<version>[0-9a-f]{2})-(?<traceId>[0-9a-f]{32})-(?<parentId>[0-9a-f]{16})-(?<flags>[0-9a-f]{2})(?<more>-[\x21-\x7e]*)?$/;
/** Longer values are not read at all (the recommendation's own headers are 55 characters). */
const MAX_LENGTH = 512;

export function validTraceparent(header: IHeaders[string]): string | undefined {
  // kafkajs gives a header sent twice as an array: two traceparents name no single parent.
  if (header === undefined || Array.isArray(header)) return undefined;
  const value = header.toString();
  if (value.length > MAX_LENGTH) return undefined;
  const fields = TRACEPARENT.exec(value)?.groups;
  if (!fields) return undefined;
  const { version, traceId, parentId, flags, more } = fields;
  if (version === 'ff' || (version === '00' && more !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return undefined;
  return `00-${traceId}-${parentId}-${flags}`;
}
