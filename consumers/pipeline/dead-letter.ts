import type { KafkaMessage } from 'kafkajs';
import type { Db } from '../../src/db/client';
import type { Tx } from '../../src/db/types';
import { findDeadLetter, recordDeadLetter, type DeadLetterRecord } from '../../src/db/dead-letters';
import { topicName, type TopicBase } from '../../src/contracts';
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

/** The dead_letter row of a refused message, as src/db records it, with the message itself. */
export function deadLetterRecord(input: DeadLetterInput, topicPrefix: string): DeadLetterRecord {
  const { message, partition, code, reason, eventId, eventType } = input;
  return { topic: topicName(input.topic, topicPrefix), partition, offset: message.offset, code, reason, eventId, eventType, key: message.key, value: message.value, headers: storeHeaders(message.headers) };
}

/**
 * Dead-letters a message that can never be processed: records it by
 * (topic, partition, offset) with the message, unless it is recorded
 * already. The relay leader sends it with its original key, value and
 * headers plus the contract's dlq-* headers, exactly once (a Kafka
 * transaction with its own offsets record, see producers/outbox-relay.ts);
 * a replay of the topic finds it recorded and records nothing. The code on
 * record wins over the one given (the refusal that was recorded is the one sent).
 */
export async function deadLetter(db: Db | Tx, topicPrefix: string, input: DeadLetterInput): Promise<{ recorded: boolean; code: string }> {
  await recordDeadLetter(db, deadLetterRecord(input, topicPrefix));
  const row = await findDeadLetter(db, topicName(input.topic, topicPrefix), input.partition, input.message.offset);
  return { recorded: row.sentAt === null, code: row.errorCode };
}
