import type { Tx } from '../../src/db/types';
import type { Logger } from '../../src/logger';
import { envelopeHeaders, validTraceparent, type Envelope, type InboundTopic } from '../../src/contracts';
import { EventRejectedError } from '../../src/errors';
import type { OutboundEvent } from '../../src/db/outbox';
import { claimInbox, finishRun } from '../../src/db/inbox';
import { levelChangedEvents, writeLevelChanges } from '../../src/db/level-changes';
import { deadLetterRecord } from './dead-letter';
import { recordRefusal } from '../../src/db/inbox';
import { beginEventSavepoint, releaseEventSavepoint, rollbackToEventSavepoint } from '../../src/db/savepoints';
import { heldBackReason, ownParkedRows, parkedAhead, parkedLookup } from './parking';
import { inboxClaimOf } from './inbox-claim';
import type { EventHandler } from './handler';
import type { EventContext } from '../../src/transaction-context';
import type { InboundRecord, ProcessorDeps } from './types';
import type { EventOutcome } from '../../src/event-outcome';

/** A message that passed the contract checks. */
export interface ValidEvent {
  envelope: Envelope;
  handler: EventHandler;
  payload: unknown;
  record: InboundRecord;
  /** Its place in the run of messages being processed. */
  index: number;
}

export type Applied = EventOutcome;

interface Pending {
  event: ValidEvent;
  ctx: EventContext;
  emitted: OutboundEvent[];
}

/** Thrown to roll back a transaction that holds one refused event and nothing else. */
class RollbackRefused extends Error {
  constructor(readonly refusal: EventRejectedError) {
    super(refusal.message);
  }
}

/**
 * Applies events in offset order in ONE interactive transaction: inbox rows
 * first (claiming the eventIds: a duplicate, even one being applied right now
 * by another instance, is skipped), then each handler, then the outbox rows and
 * the inbox outcomes. In effect each event is still applied alone: a refused
 * event leaves nothing behind (a savepoint, or a handler's handleMany that
 * writes nothing for it) but its inbox row and its dead letter, which is sent
 * after the commit.
 */
export async function applyEvents(deps: ProcessorDeps, events: readonly ValidEvent[]): Promise<Map<number, Applied>> {
  try {
    // PostgreSQL's default READ COMMITTED: naming it costs Prisma an extra round trip per transaction.
    return await deps.db.$transaction((tx) => applyInTransaction(deps, tx, events), { maxWait: 10_000, timeout: 120_000 });
  } catch (error) {
    if (!(error instanceof RollbackRefused)) throw error;
    const only = events[0]!;
    // Its transaction rolled back its inbox claim too: put the refusal on record now, before any later
    // event of the run commits, so that a retry never judges it again against a state they changed.
    const { code, message: reason } = error.refusal;
    await recordRefusalOf(deps, only, code, reason);
    return new Map([[only.index, { status: 'DEAD_LETTERED', eventType: only.envelope.eventType, code, reason }]]);
  }
}

/** The inbox row (DEAD_LETTERED) and the dead letter of an event refused outside a run's transaction, in their own transaction. */
export async function recordRefusalOf(deps: ProcessorDeps, event: ValidEvent, code: string, reason: string): Promise<void> {
  const { envelope, record } = event;
  await recordRefusal(
    deps.db,
    inboxClaimOf(envelope, record),
    deadLetterRecord({ ...record, code, reason, eventId: envelope.eventId, eventType: envelope.eventType }, deps.topicPrefix),
  );
}

async function applyInTransaction(deps: ProcessorDeps, tx: Tx, events: readonly ValidEvent[]): Promise<Map<number, Applied>> {
  const now = deps.clock?.() ?? new Date();
  const results = new Map<number, Applied>();
  const fresh: Pending[] = [];
  const heldBack: ValidEvent[] = [];
  const resolveParked: bigint[] = [];
  // The inbox claims, and (usually none: a partial index) the open PARKED dead letters of the run's keys, in one round trip.
  const claim = await claimInbox(
    tx,
    events.map(({ envelope, record }) => inboxClaimOf(envelope, record)),
    parkedLookup(deps.topicPrefix, events[0]!.record.topic, events),
  );
  const claimed = claim.claimed;
  let parked = claim.parked;
  // An event judged now (applied, refused or found applied) no longer holds back the later events of its key in this run.
  const judged = (event: ValidEvent) => {
    const own = ownParkedRows(parked, event);
    resolveParked.push(...own);
    if (own.length > 0) parked = parked.filter((r) => !own.includes(r.deadLetterId));
  };
  for (const event of events) {
    const ahead = parked.length > 0 ? parkedAhead(parked, event) : null;
    if (!claimed.delete(event.envelope.eventId)) {
      results.set(event.index, { status: 'DUPLICATE', eventType: event.envelope.eventType });
      if (!ahead) judged(event);
    } else if (ahead) {
      // Behind a parked event of its key: parked too, its inbox claim given back (finishRun).
      results.set(event.index, { status: 'DEAD_LETTERED', eventType: event.envelope.eventType, code: 'PARKED', reason: heldBackReason(ahead) });
      heldBack.push(event);
    } else {
      judged(event);
      fresh.push(pendingOf(deps, tx, event, now));
    }
  }
  // Alone in the transaction, a refused event rolls the whole transaction back; with others, only its savepoint.
  const isolate = events.length > 1;
  for (let start = 0; start < fresh.length;) {
    const handler = fresh[start]!.event.handler;
    let end = start + 1;
    while (handler.handleMany && end < fresh.length && fresh[end]!.event.handler === handler) end++;
    const run = fresh.slice(start, end);
    const outcomes =
      handler.handleMany && run.length > 1
        ? await handler.handleMany(run.map((p) => ({ ctx: p.ctx, payload: p.event.payload })))
        : [await handleOne(tx, run[0]!, isolate)];
    run.forEach((p, i) => results.set(p.event.index, settle(p, outcomes[i]!)));
    start = end;
  }

  const applied = fresh.filter((p) => results.get(p.event.index)!.status === 'APPLIED');
  const refused = fresh.filter((p) => results.get(p.event.index)!.status === 'DEAD_LETTERED');
  // One InventoryLevelChanged per (product, warehouse) the transaction changed, however many of its events did.
  const levels = levelChangedEvents(await writeLevelChanges(tx, now), now);
  const levelCause = applied.length === 1 ? causeOf(applied[0]!.event) : { eventId: null, correlationId: null };
  const outcomes = [...applied, ...refused].map((p): [string, string] => {
    const result = results.get(p.event.index)!;
    return [p.event.envelope.eventId, result.status === 'APPLIED' ? result.outcome : 'DEAD_LETTERED'];
  });
  const deadLetters = [...refused.map((p) => p.event), ...heldBack].map((event) => {
    const result = results.get(event.index) as { code: string; reason: string };
    return deadLetterRecord(
      { ...event.record, code: result.code, reason: result.reason, eventId: event.envelope.eventId, eventType: event.envelope.eventType },
      deps.topicPrefix,
    );
  });
  const unclaim = heldBack.map((e) => e.envelope.eventId);
  const outbox = [...applied.map((p) => ({ cause: causeOf(p.event), events: p.emitted })), { cause: levelCause, events: levels }];
  await finishRun(tx, { outbox, outcomes, deadLetters, now, unclaim, resolveParked });
  return results;
}

function pendingOf(deps: ProcessorDeps, tx: Tx, event: ValidEvent, now: Date): Pending {
  const { envelope } = event;
  const emitted: OutboundEvent[] = [];
  let log: Logger | null = null;
  const ctx: EventContext = {
    tx,
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    correlationId: envelope.correlationId ?? null,
    now,
    settings: deps.settings,
    // Made on first use: most events log nothing here, and a pino child (with redaction) per event was 2-3% of the service's CPU.
    get log() {
      return (log ??= deps.logger.child(logFields(event)));
    },
    emit: (e) => emitted.push(e),
  };
  return { event, ctx, emitted };
}

/** One event through its handler; with others in the transaction, inside a savepoint so a refusal undoes only its own writes. */
async function handleOne(tx: Tx, pending: Pending, isolate: boolean): Promise<string | EventRejectedError> {
  if (isolate) await beginEventSavepoint(tx);
  try {
    const outcome = await pending.event.handler.handle(pending.ctx, pending.event.payload);
    if (isolate) await releaseEventSavepoint(tx);
    return outcome;
  } catch (error) {
    if (!(error instanceof EventRejectedError)) throw error;
    if (!isolate) throw new RollbackRefused(error);
    await rollbackToEventSavepoint(tx);
    return error;
  }
}

function settle(pending: Pending, outcome: string | EventRejectedError): Applied {
  if (!(outcome instanceof EventRejectedError)) return { status: 'APPLIED', eventType: pending.event.envelope.eventType, outcome };
  pending.emitted.length = 0; // nothing of a refused event is published (the dead letter is logged when sent)
  return { status: 'DEAD_LETTERED', eventType: pending.event.envelope.eventType, code: outcome.code, reason: outcome.message };
}

function causeOf(event: ValidEvent) {
  return {
    eventId: event.envelope.eventId,
    correlationId: event.envelope.correlationId ?? null,
    traceparent: validTraceparent(event.record.message.headers?.[envelopeHeaders.traceparent]),
  };
}

/** What the message key of each inbound topic is, by the contract: logged under that name. */
const KEY_NAMES: Record<InboundTopic, string> = {
  orders: 'orderId',
  'goods-receipts': 'poId',
  'purchase-order-updates': 'poId',
  'inventory-operations': 'locationId',
};

/** What every log line about an event carries: its id and type, its key (orderId, poId or locationId) and its place in Kafka. */
export function logFields({ envelope, record }: Pick<ValidEvent, 'envelope' | 'record'>): Record<string, unknown> {
  return {
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    [KEY_NAMES[record.topic]]: record.message.key?.toString(),
    topic: record.topic,
    partition: record.partition,
    offset: record.message.offset,
  };
}
