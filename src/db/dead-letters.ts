import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import type { StoredHeaders } from '../dead-letters/stored-message';

/** A dead letter as recorded: the message's place in Kafka (real, prefixed topic name) and why it was refused. */
export interface DeadLetterRecord {
  topic: string;
  partition: number;
  offset: string;
  code: string;
  reason: string;
  eventId?: string;
  eventType?: string;
  /** The message as consumed: the relay leader publishes it from here (producers/outbox-relay.ts). */
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
    INSERT INTO dead_letter (topic, partition, "offset", event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    SELECT topic, partition, "offset", event_id, event_type, error_code, error_message, decode(message_key, 'base64'), decode(message_value, 'base64'), message_headers::jsonb
      FROM unnest(${col((d) => d.topic)}::text[], ${col((d) => d.partition)}::int[], ${col((d) => d.offset)}::bigint[],
                  ${col((d) => d.eventId?.slice(0, 64) ?? null)}::text[], ${col((d) => d.eventType?.slice(0, 64) ?? null)}::text[],
                  ${col((d) => d.code.slice(0, 64))}::text[], ${col((d) => d.reason.slice(0, 1000))}::text[],
                  ${col((d) => d.key?.toString('base64') ?? null)}::text[], ${col((d) => d.value?.toString('base64') ?? null)}::text[], ${col((d) => JSON.stringify(d.headers))}::text[])
        AS v(topic, partition, "offset", event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    ON CONFLICT (topic, partition, "offset") DO UPDATE
      SET message_key = EXCLUDED.message_key, message_value = EXCLUDED.message_value, message_headers = EXCLUDED.message_headers
      WHERE dead_letter.message_headers IS NULL AND dead_letter.sent_at IS NULL`;
}

export async function recordDeadLetter(db: Db | Tx, record: DeadLetterRecord): Promise<void> {
  await db.$executeRaw(deadLetterInsert([record]));
}

/** The recorded dead letter of a message (the code and reason on record win over a later judgement). */
export function findDeadLetter(db: Db | Tx, topic: string, partition: number, offset: string) {
  return db.deadLetter.findUniqueOrThrow({ where: { topic_partition_offset: { topic, partition, offset: BigInt(offset) } }, select: { errorCode: true, errorMessage: true, sentAt: true } });
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
