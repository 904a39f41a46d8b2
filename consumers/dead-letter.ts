import type { KafkaMessage } from 'kafkajs';
import { Prisma } from '../src/generated/prisma/client';
import type { Db } from '../src/db/client';
import type { Tx } from '../src/db/types';
import { topicName, type TopicBase } from '../src/contracts';

export interface DeadLetterInput {
  /** Contract topic name; the record and the header carry the real (prefixed) name. */
  topic: TopicBase;
  partition: number;
  message: KafkaMessage;
  code: string;
  reason: string;
  eventId?: string;
  eventType?: string;
}

/**
 * The dead_letter row of a message, with the message itself (key, value,
 * headers): in the transaction that refused the event, or on its own for a
 * message that breaks the contract. The relay leader publishes it to the
 * dead-letter topic, exactly once, in a Kafka transaction (producers/outbox-relay.ts).
 * A message that has a row already keeps it; a row recorded before dead letters
 * kept their message gets it now.
 */
export function recordDeadLetters(inputs: readonly DeadLetterInput[], topicPrefix: string): Prisma.Sql {
  const col = <T>(pick: (d: DeadLetterInput) => T) => inputs.map(pick);
  return Prisma.sql`
    INSERT INTO dead_letter (topic, partition, "offset", event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    SELECT topic, partition, "offset", event_id, event_type, error_code, error_message, decode(message_key, 'base64'), decode(message_value, 'base64'), message_headers::jsonb
      FROM unnest(${col((d) => topicName(d.topic, topicPrefix))}::text[], ${col((d) => d.partition)}::int[], ${col((d) => d.message.offset)}::bigint[],
                  ${col((d) => d.eventId?.slice(0, 64) ?? null)}::text[], ${col((d) => d.eventType?.slice(0, 64) ?? null)}::text[],
                  ${col((d) => d.code.slice(0, 64))}::text[], ${col((d) => d.reason.slice(0, 1000))}::text[],
                  ${col((d) => d.message.key?.toString('base64') ?? null)}::text[], ${col((d) => d.message.value?.toString('base64') ?? null)}::text[], ${col((d) => JSON.stringify(headerPairs(d.message.headers)))}::text[])
        AS v(topic, partition, "offset", event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    ON CONFLICT (topic, partition, "offset") DO UPDATE
      SET message_key = EXCLUDED.message_key, message_value = EXCLUDED.message_value, message_headers = EXCLUDED.message_headers
      WHERE dead_letter.message_headers IS NULL AND dead_letter.sent_at IS NULL`;
}

/** Header values are bytes and a name may repeat: kept as [name, base64] pairs. */
function headerPairs(headers: KafkaMessage['headers']): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined) pairs.push([name, Buffer.from(v).toString('base64')]);
    }
  }
  return pairs;
}

/**
 * Dead-letters a message that can never be processed: records it (see
 * recordDeadLetters) unless it is recorded already. The relay leader sends it
 * with its original key, value and headers plus the contract's dlq-* headers;
 * the row's insert wakes it (a trigger). The code on record wins over the one
 * given (the refusal that was recorded is the one sent).
 */
export async function deadLetter(db: Db | Tx, topicPrefix: string, input: DeadLetterInput): Promise<{ recorded: boolean; code: string }> {
  const topic = topicName(input.topic, topicPrefix);
  const offset = BigInt(input.message.offset);
  await db.$executeRaw(recordDeadLetters([input], topicPrefix));
  const row = await db.deadLetter.findUniqueOrThrow({ where: { topic_partition_offset: { topic, partition: input.partition, offset } }, select: { errorCode: true, sentAt: true } });
  return { recorded: row.sentAt === null, code: row.errorCode };
}

/** Of these messages (all from one topic), the ones recorded as dead letters but not sent yet. */
export async function unsentDeadLetters(db: Db, topicPrefix: string, topic: TopicBase, messages: readonly { partition: number; offset: string }[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await db.$queryRaw<{ partition: number; offset: bigint }[]>`
    SELECT partition, "offset" FROM dead_letter
     WHERE topic = ${topicName(topic, topicPrefix)} AND sent_at IS NULL
       AND (partition, "offset") IN (SELECT * FROM unnest(${messages.map((m) => m.partition)}::int[], ${messages.map((m) => m.offset)}::bigint[]))`;
  return new Set(rows.map((r) => `${r.partition}@${r.offset}`));
}
