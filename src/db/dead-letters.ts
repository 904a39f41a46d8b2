import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import type { StoredHeaders } from '../dead-letters/stored-message';

export interface DeadLetterRow {
  id: bigint;
  /** The real (prefixed) topic the message was refused on. */
  topic: string;
  partition: number;
  offset: bigint;
  eventId: string | null;
  eventType: string | null;
  code: string;
  reason: string;
  createdAt: Date;
  sentAt: Date | null;
  key: Buffer | null;
  value: Buffer | null;
  /** Null for dead letters recorded before the message was kept with them. */
  headers: StoredHeaders | null;
  redrivenAt: Date | null;
}

const COLUMNS = Prisma.sql`dead_letter_id AS id, topic, partition, "offset", event_id AS "eventId", event_type AS "eventType", error_code AS code,
  error_message AS reason, created_at AS "createdAt", sent_at AS "sentAt", message_key AS key, message_value AS value, message_headers AS headers,
  redriven_at AS "redrivenAt"`;

/** Dead letters newest first, keyset-paged by id (no locks). */
export async function listDeadLetters(db: Db, filter: { code?: string; topic?: string; before?: bigint; limit: number }): Promise<DeadLetterRow[]> {
  return db.$queryRaw<DeadLetterRow[]>`
    SELECT ${COLUMNS} FROM dead_letter
     WHERE (${filter.code ?? null}::text IS NULL OR error_code = ${filter.code ?? null}::text)
       AND (${filter.topic ?? null}::text IS NULL OR topic = ${filter.topic ?? null}::text)
       AND (${filter.before ?? null}::bigint IS NULL OR dead_letter_id < ${filter.before ?? null}::bigint)
     ORDER BY dead_letter_id DESC
     LIMIT ${filter.limit}`;
}

export async function findDeadLetter(db: Db, id: bigint): Promise<DeadLetterRow | null> {
  const [row] = await db.$queryRaw<DeadLetterRow[]>`SELECT ${COLUMNS} FROM dead_letter WHERE dead_letter_id = ${id}`;
  return row ?? null;
}

/**
 * Step 1 of a redrive: records that it is asked for, before the message is
 * sent, so the consumer that receives it finds the request already committed.
 * Returns the dead letter when it may be redriven (never redriven, message
 * kept), else null. Asking again after a send that failed is allowed.
 */
export async function requestRedrive(db: Db, id: bigint, now: Date): Promise<DeadLetterRow | null> {
  const [row] = await db.$queryRaw<DeadLetterRow[]>`
    UPDATE dead_letter SET redrive_requested_at = COALESCE(redrive_requested_at, ${now})
     WHERE dead_letter_id = ${id} AND redriven_at IS NULL AND message_headers IS NOT NULL
    RETURNING ${COLUMNS}`;
  return row ?? null;
}

/** Step 2, after the message is on its topic: the dead letter counts as redriven (a second request is refused). Null if another request got there first. */
export async function markRedriven(db: Db, id: bigint, now: Date): Promise<Date | null> {
  const [row] = await db.$queryRaw<{ redrivenAt: Date }[]>`
    UPDATE dead_letter SET redriven_at = ${now} WHERE dead_letter_id = ${id} AND redriven_at IS NULL RETURNING redriven_at AS "redrivenAt"`;
  return row?.redrivenAt ?? null;
}

export interface RedrivenEvent {
  deadLetterId: bigint;
  eventId: string;
}

/**
 * The consumer's half of a redrive, inside the transaction that claims the
 * inbox rows: for each redriven event whose redrive was asked for and not yet
 * taken up, marks it taken up and removes the event's DEAD_LETTERED inbox
 * row, so the inbox claims it again as new and it is judged once more. The
 * row lock on the dead letter makes two deliveries of the same redriven
 * message (two instances during a rebalance) take it up once: the second finds
 * it taken and its inbox row back, and is a duplicate.
 */
export async function reopenRedrivenEvents(tx: Tx, events: readonly RedrivenEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.$executeRaw`
    WITH taken AS (
      UPDATE dead_letter d SET redrive_consumed_at = now()
        FROM unnest(${events.map((e) => e.deadLetterId)}::bigint[], ${events.map((e) => e.eventId)}::text[]) AS r(id, event_id)
       WHERE d.dead_letter_id = r.id AND d.event_id = r.event_id
         AND d.redrive_requested_at IS NOT NULL AND d.redrive_consumed_at IS NULL
      RETURNING d.event_id
    )
    DELETE FROM processed_event p USING taken WHERE p.event_id = taken.event_id::uuid AND p.outcome = 'DEAD_LETTERED'`;
}

/** A redriven event refused again on its own (its transaction rolled back): its redrive is still taken up, once. */
export function consumeRedrive(event: RedrivenEvent): Prisma.Sql {
  return Prisma.sql`
    UPDATE dead_letter SET redrive_consumed_at = now()
     WHERE dead_letter_id = ${event.deadLetterId} AND event_id = ${event.eventId} AND redrive_requested_at IS NOT NULL AND redrive_consumed_at IS NULL`;
}
