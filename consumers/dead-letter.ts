import { createHash } from 'node:crypto';
import type { KafkaMessage, Producer } from 'kafkajs';
import { Prisma } from '../src/generated/prisma/client';
import type { Db } from '../src/db/client';
import type { Tx } from '../src/db/types';
import { deadLetterHeaders, topics, topicName, type TopicBase } from '../src/contracts';

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
 * What tells two messages at the same offset apart (a topic deleted and
 * created again starts its offsets over): sha256 over the message's
 * timestamp, key and value. A redelivery or a replay of the same message gives
 * the same digest, so it still finds its dead letter sent.
 */
export function messageDigest(message: Pick<KafkaMessage, 'timestamp' | 'key' | 'value'>): string {
  const hash = createHash('sha256');
  for (const part of [message.timestamp, message.key, message.value]) {
    // Length-prefixed, so that no two different messages give the same input.
    const bytes = part === null || part === undefined ? null : Buffer.isBuffer(part) ? part : Buffer.from(String(part), 'utf8');
    hash.update(bytes === null ? '-1:' : `${bytes.length}:`);
    if (bytes) hash.update(bytes);
  }
  return hash.digest('hex');
}

/**
 * The dead_letter row of a message, written before the message is sent: in
 * the transaction that refused the event, or on its own for a message that
 * breaks the contract. Nothing is written if the message has one already.
 */
export function recordDeadLetters(inputs: readonly DeadLetterInput[], topicPrefix: string): Prisma.Sql {
  const col = <T>(pick: (d: DeadLetterInput) => T) => inputs.map(pick);
  return Prisma.sql`
    INSERT INTO dead_letter (topic, partition, "offset", message_digest, message_key, event_id, event_type, error_code, error_message)
    SELECT * FROM unnest(${col((d) => topicName(d.topic, topicPrefix))}::text[], ${col((d) => d.partition)}::int[], ${col((d) => d.message.offset)}::bigint[],
                         ${col((d) => messageDigest(d.message))}::text[], ${col((d) => d.message.key?.toString('utf8').slice(0, 1000) ?? null)}::text[],
                         ${col((d) => d.eventId?.slice(0, 64) ?? null)}::text[], ${col((d) => d.eventType?.slice(0, 64) ?? null)}::text[],
                         ${col((d) => d.code.slice(0, 64))}::text[], ${col((d) => d.reason.slice(0, 1000))}::text[])
    ON CONFLICT (topic, partition, "offset", message_digest) DO NOTHING`;
}

/**
 * Puts an event's refusal on record at once, in its own transaction: its
 * inbox row (DEAD_LETTERED) and its dead letter (sent later). For a refusal
 * made while a failed run is applied one event at a time: it must be durable
 * before any later event of the run commits, or a retry would judge the event
 * again against the state those events changed.
 */
export async function recordRefusal(db: Db, topicPrefix: string, input: DeadLetterInput & { eventId: string; eventType: string }): Promise<void> {
  await db.$transaction([
    db.$executeRaw`
      INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
      VALUES (${input.eventId}::uuid, ${input.eventType.slice(0, 64)}, ${input.topic}, ${input.partition}, ${BigInt(input.message.offset)}, 'DEAD_LETTERED')
      ON CONFLICT (event_id) DO NOTHING`,
    db.$executeRaw(recordDeadLetters([input], topicPrefix)),
    // Judged at last: if it was parked before, the events behind it may go on.
    db.$executeRaw`
      UPDATE dead_letter SET resolved_at = now()
       WHERE error_code = 'PARKED' AND resolved_at IS NULL AND event_id = ${input.eventId} AND topic = ${topicName(input.topic, topicPrefix)}`,
  ]);
}

/** Records the PARKED dead letter of an event at once (sent later), so that later events of its key wait behind it. */
export async function recordParked(db: Db, topicPrefix: string, input: Omit<DeadLetterInput, 'code'>): Promise<void> {
  await db.$executeRaw(recordDeadLetters([{ ...input, code: 'PARKED' }], topicPrefix));
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
  const row = await db.deadLetter.findUniqueOrThrow({ where: { topic_partition_offset_messageDigest: { topic, partition: input.partition, offset, messageDigest: messageDigest(input.message) } } });
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
export async function unsentDeadLetters(db: Db, topicPrefix: string, topic: TopicBase, messages: readonly { partition: number; message: KafkaMessage }[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await db.$queryRaw<{ partition: number; offset: bigint }[]>`
    SELECT partition, "offset" FROM dead_letter
     WHERE topic = ${topicName(topic, topicPrefix)} AND sent_at IS NULL
       AND (partition, "offset", message_digest) IN (
             SELECT * FROM unnest(${messages.map((m) => m.partition)}::int[], ${messages.map((m) => m.message.offset)}::bigint[], ${messages.map((m) => messageDigest(m.message))}::text[]))`;
  return new Set(rows.map((r) => `${r.partition}@${r.offset}`));
}
