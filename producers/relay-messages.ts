import type { IHeaders, Message } from 'kafkajs';
import { deadLetterHeaders, topics, topicName, type TopicBase } from '../src/contracts';
import type { DeadLetterRow, OutboxRow } from '../src/db/relay';
import { restoreHeaders } from '../src/dead-letters/stored-message';

/** One row of a relay batch, as the message it becomes. */
export interface RelayItem {
  kind: 'outbox' | 'dead-letters';
  id: string;
  topic: string;
  message: Message;
  /** Estimated size on the wire (record and its share of the batch). */
  bytes: number;
  createdAt: Date;
}

// Kafka's record-batch header is 61 bytes; a record adds varints and
// attributes, at most about 20 bytes, and each header two length varints.
const BATCH_OVERHEAD = 61;
const RECORD_OVERHEAD = 21;
const HEADER_OVERHEAD = 10;

export function messageBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) bytes += HEADER_OVERHEAD + Buffer.byteLength(name) + byteLength(v ?? null);
  }
  return bytes;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

export function outboxItem(row: OutboxRow, prefix: string): RelayItem {
  const message: Message = { key: row.message_key, value: row.envelope, headers: row.headers };
  return {
    kind: 'outbox',
    id: row.outbox_id,
    topic: topicName(row.topic as TopicBase, prefix),
    message,
    bytes: BATCH_OVERHEAD + messageBytes(message),
    createdAt: row.created_at,
  };
}

/**
 * A dead letter: the message as consumed (key, value, headers) plus the
 * contract's dlq-* headers. When that would not fit in maxBytes (a message
 * near the broker's limit gains the dlq-* headers), the value is cut to fit
 * and dlq-truncated / dlq-original-size say so: the dead letter then still
 * reaches its topic, and the original stays on its own topic at the offset
 * the headers name. Null when even an empty value would not fit.
 */
export function deadLetterItem(row: DeadLetterRow, prefix: string, maxBytes: number): RelayItem | null {
  const headers: IHeaders = restoreHeaders(row.message_headers);
  Object.assign(headers, {
    [deadLetterHeaders.originalTopic]: row.topic,
    [deadLetterHeaders.originalPartition]: String(row.partition),
    [deadLetterHeaders.originalOffset]: row.offset,
    [deadLetterHeaders.errorCode]: row.error_code,
    [deadLetterHeaders.errorMessage]: row.error_message,
    [deadLetterHeaders.failedAt]: row.created_at.toISOString(),
  });
  const item = (message: Message): RelayItem => ({
    kind: 'dead-letters',
    id: row.dead_letter_id,
    topic: topicName(topics.deadLetter, prefix),
    message,
    bytes: BATCH_OVERHEAD + messageBytes(message),
    createdAt: row.created_at,
  });
  const whole = item({ key: row.message_key, value: row.message_value, headers });
  if (whole.bytes <= maxBytes) return whole;
  const original = row.message_value?.length ?? 0;
  const cutHeaders = { ...headers, [deadLetterHeaders.truncated]: 'true', [deadLetterHeaders.originalSize]: String(original) };
  const empty = item({ key: row.message_key, value: Buffer.alloc(0), headers: cutHeaders });
  if (empty.bytes > maxBytes) return null;
  return item({ key: row.message_key, value: (row.message_value ?? Buffer.alloc(0)).subarray(0, maxBytes - empty.bytes), headers: cutHeaders });
}

/**
 * Leading items whose sizes add up to at most maxBytes, and always at least
 * one (a single item larger than the cap is tried alone: the broker's own
 * limit may be larger; if it refuses, the relay parks the row).
 */
export function capByBytes(items: readonly RelayItem[], maxBytes: number, maxCount: number): RelayItem[] {
  const taken: RelayItem[] = [];
  let bytes = 0;
  for (const item of items) {
    if (taken.length >= maxCount || (taken.length > 0 && bytes + item.bytes > maxBytes)) break;
    taken.push(item);
    bytes += item.bytes;
  }
  return taken;
}

/** Keeps the relay's order within each topic (and so within each key). */
export function groupByTopic(items: readonly RelayItem[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const item of items) {
    const messages = byTopic.get(item.topic) ?? [];
    messages.push(item.message);
    byTopic.set(item.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
