import { baseTopicOf } from '../contracts';
import type { DeadLetterRow } from '../db/dead-letters';
import { headersAsText, utf8OrNull } from './stored-message';

/** A dead letter as people (API, CLI) see it: topics by contract name, the value as text when it is UTF-8. */
export interface DeadLetterView {
  id: number;
  code: string;
  reason: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
  valueBase64: string | null;
  eventId: string | null;
  eventType: string | null;
  deadLetteredAt: string;
  redrivenAt: string | null;
}

export function deadLetterView(row: DeadLetterRow, topicPrefix: string): DeadLetterView {
  const text = row.value ? utf8OrNull(row.value) : null;
  return {
    id: Number(row.id),
    code: row.code,
    reason: row.reason,
    topic: baseTopicOf(row.topic, topicPrefix) ?? row.topic,
    partition: row.partition,
    offset: row.offset.toString(),
    key: row.key ? row.key.toString('utf8') : null,
    headers: row.headers ? headersAsText(row.headers) : {},
    value: text,
    valueBase64: row.value && text === null ? row.value.toString('base64') : null,
    eventId: row.eventId,
    eventType: row.eventType,
    deadLetteredAt: row.createdAt.toISOString(),
    redrivenAt: row.redrivenAt?.toISOString() ?? null,
  };
}
