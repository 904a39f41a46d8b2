import { v5 as uuidv5 } from 'uuid';
import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import { outboundEvents, type OutboundEventType, type OutboundPayload } from '../contracts';
import { InvariantViolation } from '../errors';

/**
 * What caused the outbound events: the inbound event (or the command run).
 * eventId null: no single cause (the level events of a transaction of many
 * events); each such event then carries its own deterministic eventId.
 */
export interface Cause {
  eventId: string | null;
  correlationId: string | null;
  traceparent?: string;
}

/**
 * One outbound event to stage: a union over the contract's outbound types, so
 * the compiler checks each payload against its type (the schema still checks
 * it again at run time before it is written, see outboxRow).
 */
export type OutboundEvent = {
  [T in OutboundEventType]: {
    eventType: T;
    /** Kafka message key: the orderId or poId, as the contract says per topic. */
    key: string;
    payload: OutboundPayload<T>;
    /** Tells apart several events of one type from one cause (e.g. two POs from one scan); '' otherwise. */
    discriminator?: string;
    /**
     * An identity of the event's own, deterministic from what it is about
     * (InventoryLevelChanged: productId, warehouseId, version; an expiry:
     * orderId and holdUntil), for events that are not one cause's: used
     * instead of the id derived from the cause.
     */
    eventId?: string;
  };
}[OutboundEventType];

// Fixed namespace for the service's deterministic outbound eventIds (UUID v5).
const OUTBOUND_NAMESPACE = '4b6f1f0e-8f2d-4c8e-9a43-2f1a6b1d9c55';

/** eventId = UUIDv5(causationId, eventType, discriminator): a replay can never mint a different event for the same cause. */
export function outboundEventId(causationId: string, eventType: string, discriminator = ''): string {
  return uuidv5(`${causationId}|${eventType}|${discriminator}`, OUTBOUND_NAMESPACE);
}

/** The events one cause produced. */
export interface CausedEvents {
  cause: Cause;
  events: readonly OutboundEvent[];
}

/**
 * Writes outbound events into the outbox table inside the caller's transaction:
 * they become visible to the relay only if the change that caused them commits.
 * One statement for any number of causes. Payloads are checked against the
 * contract here, so a bug shows up as a failed transaction rather than as a
 * malformed event on the wire.
 */
export async function stageOutbound(tx: Tx, caused: readonly CausedEvents[], now = new Date()): Promise<string[]> {
  const staged = outboxInsert(caused, now);
  if (staged) await tx.$executeRaw(staged.sql);
  return staged?.eventIds ?? [];
}

/**
 * The INSERT of the outbox rows as a statement fragment, for callers that fold
 * it into a larger statement (the consumer writes outbox and inbox together).
 * One array parameter per column however many rows: Prisma's cost grows with
 * the number of parameters.
 */
export function outboxInsert(caused: readonly CausedEvents[], now: Date): { sql: Prisma.Sql; eventIds: string[] } | null {
  const rows = caused.flatMap(({ cause, events }) => events.map((event) => outboxRow(cause, event, now)));
  if (rows.length === 0) return null;
  const sql = Prisma.sql`
    INSERT INTO outbox_event (event_id, event_type, topic, message_key, envelope, headers, created_at)
    SELECT event_id::uuid, event_type, topic, message_key, envelope::jsonb, headers::jsonb, ${now}::timestamptz
      FROM unnest(${rows.map((r) => r.eventId)}::text[], ${rows.map((r) => r.eventType)}::text[], ${rows.map((r) => r.topic)}::text[],
                  ${rows.map((r) => r.messageKey)}::text[], ${rows.map((r) => JSON.stringify(r.envelope))}::text[], ${rows.map((r) => JSON.stringify(r.headers))}::text[])
        AS v(event_id, event_type, topic, message_key, envelope, headers)
    ON CONFLICT (event_id) DO NOTHING`;
  return { sql, eventIds: rows.map((r) => r.eventId) };
}

export function stageEvents(tx: Tx, cause: Cause, events: readonly OutboundEvent[], now = new Date()): Promise<string[]> {
  return stageOutbound(tx, [{ cause, events }], now);
}

function causeId(cause: Cause, event: OutboundEvent): string {
  if (cause.eventId === null) throw new InvariantViolation(`${event.eventType} has neither a cause nor an eventId of its own`);
  return cause.eventId;
}

function outboxRow(cause: Cause, event: OutboundEvent, now: Date) {
  const definition = outboundEvents[event.eventType];
  const payload = definition.payload.parse(event.payload);
  const eventId = event.eventId ?? outboundEventId(causeId(cause, event), event.eventType, event.discriminator);
  const envelope = {
    eventId,
    eventType: event.eventType,
    eventVersion: 1,
    occurredAt: now.toISOString(),
    correlationId: cause.correlationId,
    causationId: cause.eventId,
    payload,
  };
  const headers: Record<string, string> = { 'event-type': event.eventType, 'event-id': eventId };
  if (cause.traceparent) headers.traceparent = cause.traceparent;
  return { eventId, eventType: event.eventType, topic: definition.topic, messageKey: event.key, envelope, headers };
}

/** Outbox rows the relay has still to publish (the backlog gauge); parked rows, which it never will, are not counted. */
export async function countUnpublishedOutbox(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL AND parked_at IS NULL`;
  return Number(rows[0]?.n ?? 0);
}
