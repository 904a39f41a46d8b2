import type { KafkaMessage, Producer } from 'kafkajs';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import { EventRejectedError } from '../src/errors';
import { envelopeSchema, parseInboundMessage, type Envelope, type InboundTopic } from '../src/contracts';
import { stageEvents, type OutboundEvent } from '../producers/outbox';
import { deadLetter } from './dead-letter';
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

/**
 * Everything that happens to one inbound message: parse, validate, then apply
 * it in one interactive transaction together with its inbox row and outbox
 * rows, or dead-letter it. Throws only for faults that a retry can cure; the
 * runner retries those and commits the offset only after this returns.
 */
export async function processMessage(deps: ProcessorDeps, record: InboundRecord): Promise<ProcessResult> {
  const parsed = parseRecord(deps, record);
  if (!parsed.ok) return rejectRecord(deps, record, parsed.code, parsed.reason, parsed.envelope);
  const { envelope, handler, payload } = parsed;
  const log = deps.logger.child({ eventId: envelope.eventId, eventType: envelope.eventType, topic: record.topic, partition: record.partition, offset: record.message.offset });
  try {
    const result = await applyEvent(deps, record, envelope, handler, payload, log);
    log.info({ status: result.status, outcome: 'outcome' in result ? result.outcome : undefined }, 'event processed');
    return result;
  } catch (error) {
    if (!(error instanceof EventRejectedError)) throw error;
    log.warn({ code: error.code, reason: error.message }, 'event refused; dead-lettering');
    return rejectRecord(deps, record, error.code, error.message, envelope);
  }
}

type Parsed =
  | { ok: true; envelope: Envelope; handler: EventHandler; payload: unknown }
  | { ok: false; code: string; reason: string; envelope?: Envelope };

function parseRecord(deps: ProcessorDeps, record: InboundRecord): Parsed {
  const parsed = parseInboundMessage(record.topic, record.message.value);
  if (!parsed.ok) {
    // Keep the envelope when only the payload or topic was wrong: its eventId goes on record.
    const envelope = parsed.code === 'INVALID_PAYLOAD' || parsed.code === 'WRONG_TOPIC' ? envelopeOf(record.message.value) : undefined;
    return { ok: false, code: parsed.code, reason: parsed.message, envelope };
  }
  const { payload, ...envelope } = parsed.event;
  const handler = deps.handlers.get(envelope.eventType);
  // Every inbound type of the contract has a handler (a unit test checks); this guards a partial deployment.
  if (!handler) return { ok: false, code: 'UNSUPPORTED_EVENT_TYPE', reason: `${envelope.eventType} is not handled by this version`, envelope: { ...envelope, payload: {} } };
  return { ok: true, envelope: { ...envelope, payload: {} }, handler, payload };
}

function envelopeOf(value: Buffer | null): Envelope | undefined {
  try {
    const envelope = envelopeSchema.safeParse(JSON.parse(value?.toString('utf8') ?? ''));
    return envelope.success ? envelope.data : undefined;
  } catch {
    return undefined;
  }
}

async function applyEvent(deps: ProcessorDeps, record: InboundRecord, envelope: Envelope, handler: EventHandler, payload: unknown, log: Logger): Promise<ProcessResult> {
  const now = deps.clock?.() ?? new Date();
  return deps.db.$transaction(
    async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
        VALUES (${envelope.eventId}::uuid, ${envelope.eventType}, ${record.topic}, ${record.partition}, ${BigInt(record.message.offset)}, 'APPLYING')
        ON CONFLICT (event_id) DO NOTHING`;
      if (inserted === 0) return { status: 'DUPLICATE', eventType: envelope.eventType } as const;
      const outbound: OutboundEvent[] = [];
      const outcome = await handler.handle(
        { tx, eventId: envelope.eventId, eventType: envelope.eventType, correlationId: envelope.correlationId ?? null, now, settings: deps.settings, log, emit: (e) => outbound.push(e) },
        payload,
      );
      const traceparent = record.message.headers?.traceparent?.toString();
      await stageEvents(tx, { eventId: envelope.eventId, correlationId: envelope.correlationId ?? null, traceparent }, outbound, now);
      await tx.$executeRaw`UPDATE processed_event SET outcome = ${outcome} WHERE event_id = ${envelope.eventId}::uuid`;
      return { status: 'APPLIED', eventType: envelope.eventType, outcome } as const;
    },
    { isolationLevel: 'ReadCommitted', maxWait: 10_000, timeout: 60_000 },
  );
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
  deps.logger.warn({ topic: record.topic, partition: record.partition, offset: record.message.offset, eventId: envelope?.eventId, code, reason, sent }, 'message dead-lettered');
  return { status: 'DEAD_LETTERED', eventType, code };
}
