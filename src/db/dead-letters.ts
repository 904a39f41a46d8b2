import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';

/** A dead letter as recorded: the message's place in Kafka (real, prefixed topic name) and why it was refused. */
export interface DeadLetterRecord {
  topic: string;
  partition: number;
  offset: string;
  /** What tells two messages at one offset apart (a recreated topic): see messageDigest in consumers/pipeline/dead-letter.ts. */
  digest: string;
  /** The message key (first 1000 characters); later events of a key wait behind its PARKED event. */
  key: string | null;
  code: string;
  reason: string;
  eventId?: string;
  eventType?: string;
}

/**
 * The INSERT of dead_letter rows as a statement fragment (the consumer folds it
 * into the statement that ends a run), written before the message is sent.
 * Nothing is written for a message that has one already.
 */
export function deadLetterInsert(records: readonly DeadLetterRecord[]): Prisma.Sql {
  const col = <T>(pick: (d: DeadLetterRecord) => T) => records.map(pick);
  return Prisma.sql`
    INSERT INTO dead_letter (topic, partition, "offset", message_digest, message_key, event_id, event_type, error_code, error_message)
    SELECT * FROM unnest(${col((d) => d.topic)}::text[], ${col((d) => d.partition)}::int[], ${col((d) => d.offset)}::bigint[],
                         ${col((d) => d.digest)}::text[], ${col((d) => d.key?.slice(0, 1000) ?? null)}::text[],
                         ${col((d) => d.eventId?.slice(0, 64) ?? null)}::text[], ${col((d) => d.eventType?.slice(0, 64) ?? null)}::text[],
                         ${col((d) => d.code.slice(0, 64))}::text[], ${col((d) => d.reason.slice(0, 1000))}::text[])
    ON CONFLICT (topic, partition, "offset", message_digest) DO NOTHING`;
}

export async function recordDeadLetter(db: Db | Tx, record: DeadLetterRecord): Promise<void> {
  await db.$executeRaw(deadLetterInsert([record]));
}

/** The recorded dead letter of a message (the code and reason on record win over a later judgement). */
export function findDeadLetter(db: Db | Tx, topic: string, partition: number, offset: string, digest: string) {
  return db.deadLetter.findUniqueOrThrow({ where: { topic_partition_offset_messageDigest: { topic, partition, offset: BigInt(offset), messageDigest: digest } } });
}

export async function markDeadLetterSent(db: Db | Tx, deadLetterId: bigint | number, sentAt: Date): Promise<void> {
  await db.deadLetter.update({ where: { deadLetterId }, data: { sentAt } });
}

/** Of these messages (all from one topic), the ones recorded as dead letters but not sent yet, as `partition@offset`. */
export async function unsentDeadLetters(db: Db, topic: string, messages: readonly { partition: number; offset: string; digest: string }[]): Promise<Set<string>> {
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

/** The open PARKED dead letters of these keys on one topic (real name). Usually none: one look-up on a partial index. */
export async function openParkedDeadLetters(db: Db | Tx, topic: string, keys: readonly string[]): Promise<ParkedDeadLetter[]> {
  if (keys.length === 0) return [];
  const rows = await db.$queryRaw<{ dead_letter_id: bigint; partition: number; offset: bigint; message_key: string; event_id: string }[]>`
    SELECT dead_letter_id, partition, "offset", message_key, event_id FROM dead_letter
     WHERE error_code = 'PARKED' AND resolved_at IS NULL AND event_id IS NOT NULL
       AND topic = ${topic} AND message_key = ANY(${keys}::text[])`;
  return rows.map((r) => ({ deadLetterId: r.dead_letter_id, partition: r.partition, offset: r.offset, key: r.message_key, eventId: r.event_id }));
}

/** Open PARKED dead letters, for the metrics gauge: how many events operators have to look at. */
export async function countOpenParked(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM dead_letter WHERE error_code = 'PARKED' AND resolved_at IS NULL`;
  return Number(row?.n ?? 0);
}
