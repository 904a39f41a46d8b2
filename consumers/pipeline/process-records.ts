import { envelopeSchema, parseInboundMessage, topicName, type Envelope } from '../../src/contracts';
import { deadLetter, deadLetterRecord } from './dead-letter';
import { unsentDeadLetters } from '../../src/db/dead-letters';
import { recordRefusal } from '../../src/db/inbox';
import { applyEvents, logFields, type Applied, type ValidEvent } from './apply-events';
import { isDataError, isTransactionTimeout, isTransientError } from '../../src/errors';
import type { ProcessResult } from '../../src/event-outcome';
import type { InboundRecord, ProcessorDeps } from './types';

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
  const applied = valid.length > 0 ? await applyWithFallback(deps, valid) : new Map<number, Applied>();
  // Logged after the commit: a retried transaction must not log its events twice.
  for (const event of valid) {
    const outcome = applied.get(event.index)!;
    if (outcome.status === 'APPLIED') deps.logger.info({ ...logFields(event), outcome: outcome.outcome }, 'event applied');
    else if (outcome.status === 'DUPLICATE') deps.logger.info(logFields(event), 'duplicate event skipped (already applied)');
  }

  // A duplicate whose dead letter was recorded but not sent (the process died in between): send it now.
  const duplicates = valid.filter((e) => applied.get(e.index)!.status === 'DUPLICATE').map((e) => e.record);
  const unsent = duplicates.length > 0 ? await unsentDeadLetters(deps.db, topicName(records[0]!.topic, deps.topicPrefix), duplicates.map((r) => ({ partition: r.partition, offset: r.message.offset }))) : new Set<string>();

  const results: ProcessResult[] = [];
  for (const [index, record] of records.entries()) {
    const p = parsed[index]!;
    const outcome = applied.get(index)!;
    if (!p.ok) results.push(await rejectRecord(deps, record, p.code, p.reason));
    else if (outcome.status === 'REJECTED') results.push(await rejectRecord(deps, record, outcome.code, outcome.reason, p.envelope));
    else if (outcome.status === 'DUPLICATE' && unsent.has(`${record.partition}@${record.message.offset}`)) results.push(await rejectRecord(deps, record, 'RECORDED', '', p.envelope));
    else results.push(outcome);
  }
  return results;
}

const DATA_ERROR_ATTEMPTS = 3;

/**
 * Applies the run in one transaction. If that fails for a reason a retry
 * cannot cure (not a transient fault), the events are applied one at a time,
 * so that one poison event holds back only itself; an event whose own
 * transaction the database keeps refusing for its data (SQLSTATE class 22 or
 * 23) is refused and dead-lettered with the database's message instead of
 * stalling its partition forever. Anything else unexpected (a bug) is thrown:
 * the runner retries it, loudly, and the partition waits: nothing is lost.
 */
async function applyWithFallback(deps: ProcessorDeps, events: readonly ValidEvent[]): Promise<Map<number, Applied>> {
  try {
    return await applyEvents(deps, events);
  } catch (error) {
    // A run that timed out as a whole would time out again: split it. Other transient faults: retry the run.
    if (isTransientError(error) && !(isTransactionTimeout(error) && events.length > 1)) throw error;
    if (events.length === 1) return applyAlone(deps, events[0]!, error);
    deps.logger.warn({ err: error, events: events.length }, 'a run of events failed; applying them one at a time');
    const results = new Map<number, Applied>();
    for (const event of events) {
      for (const [index, result] of await applyEvents(deps, [event]).catch((e: unknown) => applyAlone(deps, event, e))) results.set(index, result);
    }
    return results;
  }
}

async function applyAlone(deps: ProcessorDeps, event: ValidEvent, firstError: unknown): Promise<Map<number, Applied>> {
  let error = firstError;
  for (let attempt = 1; ; attempt++) {
    if (isTransientError(error) || !isDataError(error)) throw error;
    if (attempt >= DATA_ERROR_ATTEMPTS) {
      const reason = `the database refused this event ${attempt} times: ${(error as Error).message}`.slice(0, 1000);
      return new Map([[event.index, { status: 'REJECTED', code: 'UNPROCESSABLE', reason }]]);
    }
    try {
      return await applyEvents(deps, [event]);
    } catch (next) {
      error = next;
    }
  }
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

/**
 * Dead-letters a message. For an event the service refused (an envelope is
 * given), the inbox row and the dead letter are recorded together first (the
 * batch's transaction did it already for a run), so the event is never judged
 * again; a message that breaks the contract is recorded by its offset only, so
 * a corrected copy under the same eventId is still welcome.
 */
async function rejectRecord(deps: ProcessorDeps, record: InboundRecord, code: string, reason: string, refused?: Envelope): Promise<ProcessResult> {
  const eventType = refused?.eventType ?? null;
  const input = { ...record, code, reason, eventId: refused?.eventId, eventType: refused?.eventType };
  if (refused) {
    await recordRefusal(deps.db, { eventId: refused.eventId, eventType: refused.eventType, topic: record.topic, partition: record.partition, offset: record.message.offset }, deadLetterRecord(input, deps.topicPrefix));
  }
  const { recorded: queued, code: recorded } = await deadLetter(deps.db, deps.topicPrefix, input);
  deps.logger.warn({ topic: record.topic, partition: record.partition, offset: record.message.offset, key: record.message.key?.toString(), eventId: refused?.eventId, eventType, code: recorded, reason, queued }, 'message dead-lettered');
  return { status: 'DEAD_LETTERED', eventType, code: recorded };
}
