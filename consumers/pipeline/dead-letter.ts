import type { KafkaMessage, Producer } from 'kafkajs';
import type { Db } from '../../src/db/client';
import type { Tx } from '../../src/db/types';
import { findDeadLetter, markDeadLetterSent, recordDeadLetter, type DeadLetterRecord } from '../../src/db/dead-letters';
import { deadLetterHeaders, topics, topicName, type TopicBase } from '../../src/contracts';
import { storeHeaders } from '../../src/dead-letters/stored-message';

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

/** The dead_letter row of a refused message, as src/db records it: with the message itself, to be shown and redriven. */
export function deadLetterRecord(input: DeadLetterInput, topicPrefix: string): DeadLetterRecord {
  const { message, partition, code, reason, eventId, eventType } = input;
  return { topic: topicName(input.topic, topicPrefix), partition, offset: message.offset, code, reason, eventId, eventType, key: message.key, value: message.value, headers: storeHeaders(message.headers) };
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
  await recordDeadLetter(db, deadLetterRecord(input, topicPrefix));
  const row = await findDeadLetter(db, topic, input.partition, input.message.offset);
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
  await markDeadLetterSent(db, row.deadLetterId, new Date());
  return { sent: true, code: row.errorCode };
}
