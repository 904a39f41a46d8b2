import type { KafkaMessage, Producer } from 'kafkajs';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import { envelopeSchema, parseInboundMessage, type Envelope, type InboundTopic } from '../src/contracts';
import { deadLetter } from './dead-letter';
import { applyEvents, type ValidEvent } from './apply-events';
import type { EventHandler, HandlerSettings } from './handler';

export interface ProcessorDeps {
  db: Db;
  /** Producer for dead letters only; outcomes go through the outbox. */
  producer: Producer;
  topicPrefix: string;
  logger: Logger;
  /** eventType -> handler. */
  handlers: ReadonlyMap<string, EventHandler>;
  settings: HandlerSettings;
  clock?: () => Date;
}

export interface InboundRecord {
  /** Contract topic name, without the prefix. */
  topic: InboundTopic;
  partition: number;
  message: KafkaMessage;
}

export type ProcessResult =
  | { status: 'APPLIED'; eventType: string; outcome: string }
  | { status: 'DUPLICATE'; eventType: string }
  | { status: 'DEAD_LETTERED'; eventType: string | null; code: string };

/** One message: see processRecords. */
export async function processMessage(deps: ProcessorDeps, record: InboundRecord): Promise<ProcessResult> {
  const [result] = await processRecords(deps, [record]);
  return result!;
}

/**
 * Everything that happens to a run of messages from one partition: each is
 * parsed and validated; the valid ones are applied, in offset order, in ONE
 * interactive transaction together with their inbox and outbox rows; the
 * invalid and refused ones are dead-lettered after it commits. Returns one
 * result per message, in order. Throws only for faults that a retry can cure
 * (then nothing was committed); the runner retries and commits the offsets
 * only after this returns.
 */
export async function processRecords(deps: ProcessorDeps, records: readonly InboundRecord[]): Promise<ProcessResult[]> {
  const parsed = records.map((record) => parseRecord(deps, record));
  const valid = parsed.flatMap((p, index) => (p.ok ? [{ ...p, record: records[index]!, index }] : []));
  const applied = valid.length > 0 ? await applyEvents(deps, valid) : new Map();

  const results: ProcessResult[] = [];
  for (const [index, record] of records.entries()) {
    const p = parsed[index]!;
    const outcome = applied.get(index);
    if (!p.ok) results.push(await rejectRecord(deps, record, p.code, p.reason, p.envelope));
    else if (outcome.status === 'REJECTED') results.push(await rejectRecord(deps, record, outcome.code, outcome.reason, p.envelope));
    else results.push(outcome);
  }
  return results;
}

type Parsed = ({ ok: true } & Omit<ValidEvent, 'record' | 'index'>) | { ok: false; code: string; reason: string; envelope?: Envelope };

function parseRecord(deps: ProcessorDeps, record: InboundRecord): Parsed {
  const parsed = parseInboundMessage(record.topic, record.message.value);
  if (!parsed.ok) {
    // Keep the envelope when only the payload or topic was wrong: its eventId goes on record.
    const envelope = parsed.code === 'INVALID_PAYLOAD' || parsed.code === 'WRONG_TOPIC' ? envelopeOf(record.message.value) : undefined;
    return { ok: false, code: parsed.code, reason: parsed.message, envelope };
  }
  const { payload, ...rest } = parsed.event;
  const envelope: Envelope = { ...rest, payload: {} };
  const handler = deps.handlers.get(envelope.eventType);
  // Every inbound type of the contract has a handler (a unit test checks); this guards a partial deployment.
  if (!handler) return { ok: false, code: 'UNSUPPORTED_EVENT_TYPE', reason: `${envelope.eventType} is not handled by this version`, envelope };
  return { ok: true, envelope, handler, payload };
}

function envelopeOf(value: Buffer | null): Envelope | undefined {
  try {
    const envelope = envelopeSchema.safeParse(JSON.parse(value?.toString('utf8') ?? ''));
    return envelope.success ? envelope.data : undefined;
  } catch {
    return undefined;
  }
}

async function rejectRecord(deps: ProcessorDeps, record: InboundRecord, code: string, reason: string, envelope?: Envelope): Promise<ProcessResult> {
  const eventType = envelope?.eventType ?? null;
  const sent = await deadLetter(deps.db, deps.producer, deps.topicPrefix, { ...record, code, reason, eventId: envelope?.eventId, eventType: eventType ?? undefined });
  if (envelope) {
    // Remember the eventId too: the same event arriving again at another offset is a duplicate, not new input.
    await deps.db.$executeRaw`
      INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
      VALUES (${envelope.eventId}::uuid, ${envelope.eventType.slice(0, 64)}, ${record.topic}, ${record.partition}, ${BigInt(record.message.offset)}, 'DEAD_LETTERED')
      ON CONFLICT (event_id) DO NOTHING`;
  }
  deps.logger.warn({ topic: record.topic, partition: record.partition, offset: record.message.offset, key: record.message.key?.toString(), eventId: envelope?.eventId, code, reason, sent }, 'message dead-lettered');
  return { status: 'DEAD_LETTERED', eventType, code };
}
