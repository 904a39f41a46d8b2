import { z } from 'zod';
import { text } from './primitives';

/**
 * The envelope around every message value, inbound and outbound.
 *
 * Unknown envelope fields are stripped (other teams may add fields; we keep
 * only what we know). A `__proto__` key, which JSON.parse creates as an own
 * property, is stripped too and never becomes a prototype: zod copies only
 * known keys out of objects and skips `__proto__` in records. Never parse
 * contract data with z.looseObject/.passthrough()/.catchall(): those copy
 * unknown keys by assignment, and assigning `__proto__` swaps the prototype
 * of the result.
 */
/**
 * Any JSON object, copied without `__proto__`. Not z.record: its plain-object
 * check reads o.constructor.prototype, so it refused a payload with a
 * `constructor` key, though unknown payload fields are allowed (the event
 * type's own schema strips them).
 */
const jsonObject = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'Invalid input: expected object' })
  .transform((v) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== '__proto__')))
  .meta({ type: 'object' });

export const envelopeSchema = z.object({
  // Any 8-4-4-4-12 hex, as PostgreSQL's uuid type accepts it, not only
  // RFC 9562 versions: refusing an odd generator would dead-letter a whole
  // producer. Lower-cased because it is the idempotency key, compared as text.
  eventId: z.guid().toLowerCase(),
  // 64: the inbox's event_type column.
  eventType: text(1, 64),
  eventVersion: z.int().min(1).max(2_147_483_647),
  // An offset is accepted (and Z); a local time without one is not.
  occurredAt: z.iso.datetime({ offset: true }),
  correlationId: text(0, 128).nullable(),
  // Outbound: the inbound eventId. Inbound: whatever the producer uses.
  causationId: text(0, 128).nullable(),
  // Checked against the event type's own schema in a second step
  // (parseInboundMessage), which again strips unknown keys.
  // Any JSON object, taken as is: z.record would refuse a payload with a
  // `constructor` key (its plain-object check reads o.constructor.prototype),
  // though unknown payload fields are allowed and stripped by the type's schema.
  payload: jsonObject,
});

export type Envelope = z.infer<typeof envelopeSchema>;

/** An envelope whose payload has been parsed with the event type's schema. */
export type EventOf<TType extends string, TPayload> = Omit<Envelope, 'eventType' | 'payload'> & {
  eventType: TType;
  payload: TPayload;
};
