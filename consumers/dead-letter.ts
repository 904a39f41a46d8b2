import type { KafkaMessage, Producer } from 'kafkajs';
import { Prisma } from '../src/generated/prisma/client';
import type { Db } from '../src/db/client';
import type { Tx } from '../src/db/types';
import { deadLetterHeaders, topics, topicName, type TopicBase } from '../src/contracts';
import { storeHeaders } from '../src/dead-letters/stored-message';

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
 * The dead_letter row of a message, written before the message is sent: in
 * the transaction that refused the event, or on its own for a message that
 * breaks the contract. Nothing is written if the message has one already.
 * The message itself (key, value, headers) is kept with it, to be shown and
 * redriven (GET /v1/dead-letters, POST .../redrive).
 */
export function recordDeadLetters(inputs: readonly DeadLetterInput[], topicPrefix: string): Prisma.Sql {
  const col = <T>(pick: (d: DeadLetterInput) => T) => inputs.map(pick);
  return Prisma.sql`
    INSERT INTO dead_letter (topic, partition, "offset", event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    SELECT topic, partition, "offset", event_id, event_type, error_code, error_message, decode(message_key, 'base64'), decode(message_value, 'base64'), message_headers::jsonb
      FROM unnest(${col((d) => topicName(d.topic, topicPrefix))}::text[], ${col((d) => d.partition)}::int[], ${col((d) => d.message.offset)}::bigint[],
                  ${col((d) => d.eventId?.slice(0, 64) ?? null)}::text[], ${col((d) => d.eventType?.slice(0, 64) ?? null)}::text[],
                  ${col((d) => d.code.slice(0, 64))}::text[], ${col((d) => d.reason.slice(0, 1000))}::text[],
                  ${col((d) => d.message.key?.toString('base64') ?? null)}::text[], ${col((d) => d.message.value?.toString('base64') ?? null)}::text[],
                  ${col((d) => JSON.stringify(storeHeaders(d.message.headers)))}::text[])
        AS v(topic, partition, "offset", event_id, event_type, error_code, error_message, message_key, message_value, message_headers)
    ON CONFLICT (topic, partition, "offset") DO NOTHING`;
}

/**
 * Sends a message that can never be processed to the dead-letter topic with
 * its original key, value and headers, plus the contract's dlq-* headers. It
 * is recorded by (topic, partition, offset) first and marked sent after, so a
 * crash in between sends it on the next delivery rather than losing it, and a
 * replay of the topic finds it sent and sends nothing. The code and reason on
 * record win over the ones given (the refusal that was recorded is the one sent).
 */
export async function deadLetter(db: Db | Tx, producer: Producer, topicPrefix: string, input: DeadLetterInput): Promise<{ sent: boolean; code: string }> {
  const topic = topicName(input.topic, topicPrefix);
  const offset = BigInt(input.message.offset);
  await db.$executeRaw(recordDeadLetters([input], topicPrefix));
  const row = await db.deadLetter.findUniqueOrThrow({ where: { topic_partition_offset: { topic, partition: input.partition, offset } } });
  if (row.sentAt) return { sent: false, code: row.errorCode };
  const { message } = input;
  await producer.send({
    topic: topicName(topics.deadLetter, topicPrefix),
    acks: -1,
    messages: [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [deadLetterHeaders.originalTopic]: topic,
          [deadLetterHeaders.originalPartition]: String(input.partition),
          [deadLetterHeaders.originalOffset]: message.offset,
          [deadLetterHeaders.errorCode]: row.errorCode,
          [deadLetterHeaders.errorMessage]: row.errorMessage,
          [deadLetterHeaders.failedAt]: row.createdAt.toISOString(),
        },
      },
    ],
  });
  await db.deadLetter.update({ where: { deadLetterId: row.deadLetterId }, data: { sentAt: new Date() } });
  return { sent: true, code: row.errorCode };
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
