import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import type { StoredHeaders } from '../dead-letters/stored-message';

/** A dead letter as recorded: the message's place in Kafka (real, prefixed topic name) and why it was refused. */
export interface DeadLetterRecord {
  topic: string;
  partition: number;
  offset: string;
  /** What tells two messages at one offset apart (a recreated topic): see messageDigest in consumers/pipeline/dead-letter.ts. */
  digest: string;
  /** The message key as text (first 1000 characters, parked_key): later events of a key wait behind its PARKED event. */
  parkedKey: string | null;
  code: string;
  reason: string;
  eventId?: string;
  eventType?: string;
  /** The message as consumed: the relay leader publishes it from here (producers/outbox-relay.ts); shown and redriven (GET /v1/dead-letters, POST .../redrive). */
  key: Buffer | null;
  value: Buffer | null;
  headers: StoredHeaders;
}

/**
 * The INSERT of dead_letter rows as a statement fragment (the consumer folds it
 * into the statement that ends a run), with the message itself: the relay
 * leader publishes it from here, exactly once, in a Kafka transaction, and the
 * insert wakes it (a trigger). A message that has a row already keeps it; a
 * row recorded before dead letters kept their message (message_headers null)
 * gets it now. Bytes travel as base64 text: one array parameter per column.
 */
export function deadLetterInsert(records: readonly DeadLetterRecord[]): Prisma.Sql {
  const col = <T>(pick: (d: DeadLetterRecord) => T) => records.map(pick);
  return Prisma.sql`
    INSERT INTO dead_letter (topic, partition, "offset", message_digest, parked_key, event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    SELECT topic, partition, "offset", message_digest, parked_key, event_id, event_type, error_code, error_message, decode(message_key, 'base64'), decode(message_value, 'base64'), message_headers::jsonb
      FROM unnest(${col((d) => d.topic)}::text[], ${col((d) => d.partition)}::int[], ${col((d) => d.offset)}::bigint[],
                  ${col((d) => d.digest)}::text[], ${col((d) => d.parkedKey?.slice(0, 1000) ?? null)}::text[],
                  ${col((d) => d.eventId?.slice(0, 64) ?? null)}::text[], ${col((d) => d.eventType?.slice(0, 64) ?? null)}::text[],
                  ${col((d) => d.code.slice(0, 64))}::text[], ${col((d) => d.reason.slice(0, 1000))}::text[],
                  -- bytes as base64 text: one text[] parameter per column, like the others
                  ${col((d) => d.key?.toString('base64') ?? null)}::text[], ${col((d) => d.value?.toString('base64') ?? null)}::text[],
                  ${col((d) => JSON.stringify(d.headers))}::text[])
        AS v(topic, partition, "offset", message_digest, parked_key, event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    ON CONFLICT (topic, partition, "offset", message_digest) DO UPDATE
      SET message_key = EXCLUDED.message_key, message_value = EXCLUDED.message_value, message_headers = EXCLUDED.message_headers
      WHERE dead_letter.message_headers IS NULL AND dead_letter.sent_at IS NULL`;
}

export async function recordDeadLetter(db: Db | Tx, record: DeadLetterRecord): Promise<void> {
  await db.$executeRaw(deadLetterInsert([record]));
}

/** The recorded dead letter of a message (the code and reason on record win over a later judgement). */
export function findDeadLetter(db: Db | Tx, topic: string, partition: number, offset: string, digest: string) {
  return db.deadLetter.findUniqueOrThrow({
    where: { topic_partition_offset_messageDigest: { topic, partition, offset: BigInt(offset), messageDigest: digest } },
    select: { errorCode: true, errorMessage: true, sentAt: true },
  });
}

export async function markDeadLetterSent(db: Db | Tx, deadLetterId: bigint | number, sentAt: Date): Promise<void> {
  await db.deadLetter.update({ where: { deadLetterId }, data: { sentAt } });
}

/** Of these messages (all from one topic), the ones recorded as dead letters but not sent yet, as `partition@offset`. */
export async function unsentDeadLetters(
  db: Db,
  topic: string,
  messages: readonly { partition: number; offset: string; digest: string }[],
): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await db.$queryRaw<{ partition: number; offset: bigint }[]>`
    SELECT partition, "offset" FROM dead_letter
     WHERE topic = ${topic} AND sent_at IS NULL
       AND (partition, "offset", message_digest) IN (
             SELECT * FROM unnest(${messages.map((m) => m.partition)}::int[], ${messages.map((m) => m.offset)}::bigint[], ${messages.map((m) => m.digest)}::text[]))`;
  return new Set(rows.map((r) => `${r.partition}@${r.offset}`));
}

/** An open PARKED dead letter (not resolved): an event that is held back, and holds back the later events of its key. */
export interface ParkedDeadLetter {
  deadLetterId: bigint;
  partition: number;
  offset: bigint;
  key: string;
  eventId: string;
}

/** A row of openParkedSql. */
export interface ParkedRow {
  dead_letter_id: bigint;
  partition: number;
  offset: bigint;
  parked_key: string;
  event_id: string;
}

/** The open PARKED dead letters of these keys on one topic (real name), as a SELECT that claimInbox sends with its claim. Usually none: a partial index. */
export function openParkedSql(topic: string, keys: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT dead_letter_id, partition, "offset", parked_key, event_id FROM dead_letter
     WHERE error_code = 'PARKED' AND resolved_at IS NULL AND event_id IS NOT NULL
       AND topic = ${topic} AND parked_key = ANY(${keys}::text[])`;
}

export function parkedDeadLetters(rows: readonly ParkedRow[]): ParkedDeadLetter[] {
  return rows.map((r) => ({ deadLetterId: r.dead_letter_id, partition: r.partition, offset: r.offset, key: r.parked_key, eventId: r.event_id }));
}

/** Open PARKED dead letters, for the metrics gauge: how many events operators have to look at. */
export async function countOpenParked(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM dead_letter WHERE error_code = 'PARKED' AND resolved_at IS NULL`;
  return Number(row?.n ?? 0);
}

/** A dead letter as people see it (API, CLI). */
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

// Prisma hands bytea over as a Uint8Array; the rest of the service (kafkajs, the views) speaks Buffer.
const asBuffer = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
const fromDb = (row: DeadLetterRow): DeadLetterRow => ({ ...row, key: asBuffer(row.key), value: asBuffer(row.value) });

/** Dead letters newest first, keyset-paged by id (no locks). */
export async function listDeadLetters(db: Db, filter: { code?: string; topic?: string; before?: bigint; limit: number }): Promise<DeadLetterRow[]> {
  const rows = await db.$queryRaw<DeadLetterRow[]>`
    SELECT ${COLUMNS} FROM dead_letter
     WHERE (${filter.code ?? null}::text IS NULL OR error_code = ${filter.code ?? null}::text)
       AND (${filter.topic ?? null}::text IS NULL OR topic = ${filter.topic ?? null}::text)
       AND (${filter.before ?? null}::bigint IS NULL OR dead_letter_id < ${filter.before ?? null}::bigint)
     ORDER BY dead_letter_id DESC
     LIMIT ${filter.limit}`;
  return rows.map(fromDb);
}

export async function findDeadLetterById(db: Db, id: bigint): Promise<DeadLetterRow | null> {
  const [row] = await db.$queryRaw<DeadLetterRow[]>`SELECT ${COLUMNS} FROM dead_letter WHERE dead_letter_id = ${id}`;
  return row ? fromDb(row) : null;
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
  return row ? fromDb(row) : null;
}

/** Step 2, after the message is on its topic: the dead letter counts as redriven (a second request is refused). Null if another request got there first. */
export async function markRedriven(db: Db, id: bigint, now: Date): Promise<Date | null> {
  const [row] = await db.$queryRaw<{ redrivenAt: Date }[]>`
    UPDATE dead_letter SET redriven_at = ${now} WHERE dead_letter_id = ${id} AND redriven_at IS NULL RETURNING redriven_at AS "redrivenAt"`;
  return row?.redrivenAt ?? null;
}

/** An inbound event that came back from the dead letters: header dlq-redrive-of names the dead letter. */
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
 * it taken and the inbox row back, and is a duplicate. A copied header with no
 * redrive asked for changes nothing.
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

/** A redriven event refused again on its own (its transaction rolled back): its redrive is taken up all the same, once. */
export function consumeRedrive(event: RedrivenEvent): Prisma.Sql {
  return Prisma.sql`
    UPDATE dead_letter SET redrive_consumed_at = now()
     WHERE dead_letter_id = ${event.deadLetterId} AND event_id = ${event.eventId} AND redrive_requested_at IS NOT NULL AND redrive_consumed_at IS NULL`;
}
