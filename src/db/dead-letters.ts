import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';

/** A dead letter as recorded: the message's place in Kafka (real, prefixed topic name) and why it was refused. */
export interface DeadLetterRecord {
  topic: string;
  partition: number;
  offset: string;
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
    INSERT INTO dead_letter (topic, partition, "offset", event_id, event_type, error_code, error_message)
    SELECT * FROM unnest(${col((d) => d.topic)}::text[], ${col((d) => d.partition)}::int[], ${col((d) => d.offset)}::bigint[],
                         ${col((d) => d.eventId?.slice(0, 64) ?? null)}::text[], ${col((d) => d.eventType?.slice(0, 64) ?? null)}::text[],
                         ${col((d) => d.code.slice(0, 64))}::text[], ${col((d) => d.reason.slice(0, 1000))}::text[])
    ON CONFLICT (topic, partition, "offset") DO NOTHING`;
}

export async function recordDeadLetter(db: Db | Tx, record: DeadLetterRecord): Promise<void> {
  await db.$executeRaw(deadLetterInsert([record]));
}

/** The recorded dead letter of a message (the code and reason on record win over a later judgement). */
export function findDeadLetter(db: Db | Tx, topic: string, partition: number, offset: string) {
  return db.deadLetter.findUniqueOrThrow({ where: { topic_partition_offset: { topic, partition, offset: BigInt(offset) } } });
}

export async function markDeadLetterSent(db: Db | Tx, deadLetterId: bigint | number, sentAt: Date): Promise<void> {
  await db.deadLetter.update({ where: { deadLetterId }, data: { sentAt } });
}

/** Of these messages (all from one topic), the ones recorded as dead letters but not sent yet, as `partition@offset`. */
export async function unsentDeadLetters(db: Db, topic: string, messages: readonly { partition: number; offset: string }[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await db.$queryRaw<{ partition: number; offset: bigint }[]>`
    SELECT partition, "offset" FROM dead_letter
     WHERE topic = ${topic} AND sent_at IS NULL
       AND (partition, "offset") IN (SELECT * FROM unnest(${messages.map((m) => m.partition)}::int[], ${messages.map((m) => m.offset)}::bigint[]))`;
  return new Set(rows.map((r) => `${r.partition}@${r.offset}`));
}
