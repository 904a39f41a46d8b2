import type { z } from 'zod';
import { envelopeSchema, type EventOf } from './envelope';
import { inboundEvents, isInboundEventType, type InboundEventSpec, type InboundEventType, type InboundPayload } from './inbound';
import type { InboundTopic } from './topics';

/** Dead-letter codes (header dlq-error-code) for messages that break the contract itself. */
export const contractErrorCodes = [
  'INVALID_JSON',
  'INVALID_ENVELOPE',
  'UNKNOWN_EVENT_TYPE',
  'UNSUPPORTED_EVENT_VERSION',
  'WRONG_TOPIC',
  'INVALID_PAYLOAD',
] as const;
export type ContractErrorCode = (typeof contractErrorCodes)[number];

/** A validated inbound event: eventType narrows payload. */
export type InboundEvent = { [T in InboundEventType]: EventOf<T, InboundPayload<T>> }[InboundEventType];

export type InboundParseResult = { ok: true; event: InboundEvent } | { ok: false; code: ContractErrorCode; message: string };

// fatal: invalid UTF-8 is refused, not silently turned into U+FFFD (a SKU
// with a replacement character would look like an unknown product).
const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_MESSAGE_LENGTH = 1000;

/**
 * Every contract check on one inbound message, in the order that gives the
 * most useful dead-letter code: JSON, envelope, event type, version, topic,
 * payload. The version comes before everything that depends on the type's
 * meaning (contract v2, "Version first"): a producer that bumped it says the
 * meaning changed, so a known-looking payload must not be applied as version 1.
 * `topic` is the default (unprefixed) name the message arrived on; see
 * baseTopicOf. Expected failures are returned, never thrown.
 */
export function parseInboundMessage(topic: InboundTopic, value: Buffer | string | null): InboundParseResult {
  if (value === null) return failure('INVALID_JSON', 'the message has no value');
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : utf8.decode(value));
  } catch (error) {
    return failure('INVALID_JSON', `not UTF-8 JSON: ${(error as Error).message}`);
  }

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return failure('INVALID_ENVELOPE', describeIssues(envelope.error));

  const { eventType } = envelope.data;
  if (!isInboundEventType(eventType)) {
    return failure('UNKNOWN_EVENT_TYPE', `unknown eventType ${JSON.stringify(eventType)}`);
  }
  const spec = inboundEvents[eventType];
  const { eventVersion } = envelope.data;
  if (!(spec.versions as readonly number[]).includes(eventVersion)) {
    return failure('UNSUPPORTED_EVENT_VERSION', `${eventType} version ${eventVersion} is not supported (supported: ${spec.versions.join(', ')})`);
  }
  if (spec.topic !== topic) {
    return failure('WRONG_TOPIC', `${eventType} belongs on topic ${spec.topic}, not ${topic}`);
  }

  const payload = spec.payload.safeParse(envelope.data.payload);
  if (!payload.success) return failure('INVALID_PAYLOAD', describeIssues(payload.error, 'payload'));
  const acrossEnvelope = (spec as InboundEventSpec).checkAgainstEnvelope?.(payload.data, envelope.data);
  if (acrossEnvelope) return failure('INVALID_PAYLOAD', acrossEnvelope);

  // The registry lookup ties payload to eventType; TypeScript cannot follow it.
  return { ok: true, event: { ...envelope.data, payload: payload.data } as InboundEvent };
}

/** One line for the dlq-error-message header: "payload.lines.0.quantity: Too big: ...; ...". */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  const text = error.issues
    .map((issue) => {
      const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}

function failure(code: ContractErrorCode, message: string): InboundParseResult {
  return { ok: false, code, message };
}
