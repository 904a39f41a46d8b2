import type { KafkaMessage, Producer } from 'kafkajs';
import type { Db } from '../src/db/client';
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
 * Sends a message that can never be processed to the dead-letter topic with
 * its original key, value and headers, plus the contract's dlq-* headers, and
 * records it by (topic, partition, offset). The record comes after the send,
 * so a crash in between sends it again rather than losing it; and a replay of
 * the topic finds the record and sends nothing.
 */
export async function deadLetter(db: Db, producer: Producer, topicPrefix: string, input: DeadLetterInput): Promise<'SENT' | 'ALREADY_SENT'> {
  const { partition, message, code } = input;
  const topic = topicName(input.topic, topicPrefix);
  const offset = BigInt(message.offset);
  const already = await db.deadLetter.findUnique({ where: { topic_partition_offset: { topic, partition, offset } } });
  if (already) return 'ALREADY_SENT';
  const reason = input.reason.slice(0, 1000);
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
          [deadLetterHeaders.originalPartition]: String(partition),
          [deadLetterHeaders.originalOffset]: message.offset,
          [deadLetterHeaders.errorCode]: code,
          [deadLetterHeaders.errorMessage]: reason,
          [deadLetterHeaders.failedAt]: new Date().toISOString(),
        },
      },
    ],
  });
  await db.deadLetter.createMany({
    data: [{ topic, partition, offset, eventId: input.eventId?.slice(0, 64), eventType: input.eventType?.slice(0, 64), errorCode: code, errorMessage: reason }],
    skipDuplicates: true,
  });
  return 'SENT';
}
