import { createHash } from 'node:crypto';
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

/** The dead_letter row of a refused message, as src/db records it: with the message itself, to be shown and redriven. */
export function deadLetterRecord(input: DeadLetterInput, topicPrefix: string): DeadLetterRecord {
  const { message, partition, code, reason, eventId, eventType } = input;
  return {
    topic: topicName(input.topic, topicPrefix),
    partition,
    offset: message.offset,
    digest: messageDigest(message),
    parkedKey: messageKey(message),
    code,
    reason,
    eventId,
    eventType,
    key: message.key,
    value: message.value,
    headers: storeHeaders(message.headers),
  };
}

/** The key as text, as a dead letter records it (parked_key): what later events of the key are matched by. */
export function messageKey(message: Pick<KafkaMessage, 'key'>): string | null {
  return message.key?.toString('utf8').slice(0, 1000) ?? null;
}

/**
 * What tells two messages at the same offset apart (a topic deleted and
 * created again starts its offsets over): sha256 over the message's
 * timestamp, key and value. A redelivery or a replay of the same message gives
 * the same digest, so it still finds its dead letter sent and is not sent twice.
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
 * Dead-letters a message that can never be processed: records it by
 * (topic, partition, offset) with the message, unless it is recorded
 * already. The relay leader sends it with its original key, value and
 * headers plus the contract's dlq-* headers, exactly once (a Kafka
 * transaction with its own offsets record, see producers/outbox-relay.ts);
 * a replay of the topic finds it recorded and records nothing. The code on
 * record wins over the one given (the refusal that was recorded is the one sent).
 */
export async function deadLetter(db: Db | Tx, topicPrefix: string, input: DeadLetterInput): Promise<{ recorded: boolean; code: string; reason: string }> {
  await recordDeadLetter(db, deadLetterRecord(input, topicPrefix));
  const row = await findDeadLetter(db, topicName(input.topic, topicPrefix), input.partition, input.message.offset, messageDigest(input.message));
  return { recorded: row.sentAt === null, code: row.errorCode, reason: row.errorMessage };
}

/** The refusal on record for a message (code and reason), for a redelivery of an event refused before. */
export async function recordedDeadLetter(
  db: Db | Tx,
  topicPrefix: string,
  input: Omit<DeadLetterInput, 'code' | 'reason'>,
): Promise<{ code: string; reason: string }> {
  const row = await findDeadLetter(db, topicName(input.topic, topicPrefix), input.partition, input.message.offset, messageDigest(input.message));
  return { code: row.errorCode, reason: row.errorMessage };
}
