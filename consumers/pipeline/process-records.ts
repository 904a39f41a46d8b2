import { setTimeout as sleep } from 'node:timers/promises';
import { envelopeSchema, parseInboundMessage, topicName, type Envelope } from '../../src/contracts';
import { deadLetter, deadLetterRecord, messageDigest, recordedDeadLetter } from './dead-letter';
import { recordDeadLetter, unsentDeadLetters } from '../../src/db/dead-letters';
import { applyEvents, logFields, recordRefusalOf, type Applied, type ValidEvent } from './apply-events';
import { isDataError, isTransactionTimeout, isTransientError } from '../../src/errors';
import type { EventOutcome } from '../../src/event-outcome';
import type { InboundRecord, ProcessorDeps } from './types';

/** One message: see processRecords. */
export async function processMessage(deps: ProcessorDeps, record: InboundRecord): Promise<EventOutcome> {
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
export async function processRecords(deps: ProcessorDeps, records: readonly InboundRecord[]): Promise<EventOutcome[]> {
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
  const unsent =
    duplicates.length > 0
      ? await unsentDeadLetters(
          deps.db,
          topicName(records[0]!.topic, deps.topicPrefix),
          duplicates.map((r) => ({ partition: r.partition, offset: r.message.offset, digest: messageDigest(r.message) })),
        )
      : new Set<string>();

  const results: EventOutcome[] = [];
  for (const [index, record] of records.entries()) {
    const p = parsed[index]!;
    const outcome = applied.get(index)!;
    if (!p.ok) results.push(await rejectRecord(deps, record, p.code, p.reason));
    else if (outcome.status === 'DEAD_LETTERED') results.push(await rejectRecord(deps, record, outcome.code, outcome.reason, p.envelope));
    // Its dead letter is on record but was not sent (the process died in between): the recorded refusal stands.
    else if (outcome.status === 'DUPLICATE' && unsent.has(`${record.partition}@${record.message.offset}`))
      results.push(await rejectOnRecord(deps, record, p.envelope));
    else results.push(outcome);
  }
  return results;
}

const DATA_ERROR_ATTEMPTS = 3;
/** Attempts of an event alone, failing with a bug-class error every time, before it is parked. */
export const PARK_AFTER_ATTEMPTS = 3;
/** Pause before each further attempt of such an event: for a cause that passes, short enough not to hold the fetch back (0.3 s in all). */
const BUG_RETRY_DELAY_MS = 100;

/**
 * Applies the run in one transaction. If that fails for a reason a retry
 * cannot cure (not a transient fault), the run is applied in halves, each in
 * its own transaction, and a half that fails is halved again, in offset order:
 * one poison event among n costs about 2 log2(n) transactions, not n, and
 * holds back only itself. An event that fails alone with an error about its
 * data (SQLSTATE class 22 or 23) is refused UNPROCESSABLE with the database's
 * message; one that keeps failing alone with any other error that is not
 * transient (a bug) is parked (consumers/pipeline/parking.ts). Either is on
 * record before any later event of the run is applied. Transient faults are
 * thrown: the runner retries them.
 */
async function applyWithFallback(deps: ProcessorDeps, events: readonly ValidEvent[]): Promise<Map<number, Applied>> {
  try {
    return await applyEvents(deps, events);
  } catch (error) {
    // A run that timed out as a whole would time out again: split it. Other transient faults: retry the run.
    if (isTransientError(error) && !(isTransactionTimeout(error) && events.length > 1)) throw error;
    if (events.length === 1) return applyAlone(deps, events[0]!, error);
    deps.logger.warn({ err: error, events: events.length }, 'a run of events failed; applying it in halves');
    const half = Math.ceil(events.length / 2);
    const results = new Map<number, Applied>();
    for (const part of [events.slice(0, half), events.slice(half)]) {
      for (const [index, result] of await applyWithFallback(deps, part)) results.set(index, result);
    }
    return results;
  }
}

async function applyAlone(deps: ProcessorDeps, event: ValidEvent, firstError: unknown): Promise<Map<number, Applied>> {
  let error = firstError;
  for (let attempt = 1; ; attempt++) {
    if (isTransientError(error)) throw error;
    const dataError = isDataError(error);
    if (dataError && attempt >= DATA_ERROR_ATTEMPTS) {
      const reason = `the database refused this event ${attempt} times: ${(error as Error).message}`.slice(0, 1000);
      await recordRefusalOf(deps, event, 'UNPROCESSABLE', reason);
      return new Map([[event.index, { status: 'DEAD_LETTERED', eventType: event.envelope.eventType, code: 'UNPROCESSABLE', reason }]]);
    }
    if (!dataError && attempt >= PARK_AFTER_ATTEMPTS) return park(deps, event, error, attempt);
    if (!dataError) await sleep(BUG_RETRY_DELAY_MS * attempt);
    try {
      return await applyEvents(deps, [event]);
    } catch (next) {
      error = next;
    }
  }
}

/** One line for the dlq-error-message header (Prisma's messages span several). */
function parkedReason(error: unknown, attempts: number): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return `failed ${attempts} times with an error that is not transient: ${message}`.slice(0, 1000);
}

/** Parks an event that failed `attempts` times with a bug-class error: on record at once, so later events of its key wait behind it. */
async function park(deps: ProcessorDeps, event: ValidEvent, error: unknown, attempts: number): Promise<Map<number, Applied>> {
  const reason = parkedReason(error, attempts);
  const { envelope, record } = event;
  await recordDeadLetter(
    deps.db,
    deadLetterRecord({ ...record, code: 'PARKED', reason, eventId: envelope.eventId, eventType: envelope.eventType }, deps.topicPrefix),
  );
  deps.logger.error(
    { ...logFields(event), err: error, attempts },
    'event parked: dead-lettered PARKED, later events of its key wait behind it (docs/decisions.md)',
  );
  return new Map([[event.index, { status: 'DEAD_LETTERED', eventType: envelope.eventType, code: 'PARKED', reason }]]);
}

/**
 * Parks a message whose processing failed `attempts` times with an error that
 * is not transient outside its event's own transaction (the runner's last
 * resort): a PARKED dead letter, with its eventId and key when it has an
 * envelope, so that later events of the key wait behind it.
 */
export async function parkRecord(deps: ProcessorDeps, record: InboundRecord, error: unknown, attempts: number): Promise<EventOutcome> {
  const envelope = envelopeOf(record.message.value);
  const reason = parkedReason(error, attempts);
  await recordDeadLetter(
    deps.db,
    deadLetterRecord({ ...record, code: 'PARKED', reason, eventId: envelope?.eventId, eventType: envelope?.eventType }, deps.topicPrefix),
  );
  deps.logger.error(
    { topic: record.topic, partition: record.partition, offset: record.message.offset, eventId: envelope?.eventId, err: error, attempts },
    'message parked: dead-lettered PARKED',
  );
  return rejectRecord(deps, record, 'PARKED', reason, envelope);
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
 * Dead-letters a message. An event the service refused or parked (an
 * envelope is given) has its dead letter on record already, and a refused one
 * its inbox row too (written by the run's transaction or by recordRefusalOf),
 * so it is never judged again; a message that breaks the contract is recorded
 * by its offset and digest only, so a corrected copy under the same eventId is
 * still welcome.
 */
async function rejectRecord(deps: ProcessorDeps, record: InboundRecord, code: string, reason: string, refused?: Envelope): Promise<EventOutcome> {
  const eventType = refused?.eventType ?? null;
  const input = { ...record, code, reason, eventId: refused?.eventId, eventType: refused?.eventType };
  const { recorded: queued, code: recorded, reason: recordedReason } = await deadLetter(deps.db, deps.topicPrefix, input);
  deps.logger.warn(
    {
      topic: record.topic,
      partition: record.partition,
      offset: record.message.offset,
      key: record.message.key?.toString(),
      eventId: refused?.eventId,
      eventType,
      code: recorded,
      reason: recordedReason,
      queued,
    },
    'message dead-lettered',
  );
  return { status: 'DEAD_LETTERED', eventType, code: recorded, reason: recordedReason };
}

/** A redelivered event whose refusal is on record (its inbox row says DEAD_LETTERED): the recorded dead letter, queued again. */
async function rejectOnRecord(deps: ProcessorDeps, record: InboundRecord, refused: Envelope): Promise<EventOutcome> {
  const onRecord = await recordedDeadLetter(deps.db, deps.topicPrefix, { ...record, eventId: refused.eventId, eventType: refused.eventType });
  return rejectRecord(deps, record, onRecord.code, onRecord.reason, refused);
}
