import { v5 as uuidv5 } from 'uuid';
import type { Db } from '../db/client';
import type { Tx } from '../db/types';
import { endHolds, lockDueHolds, type DueHold } from '../db/holds';
import { lockStockRows } from '../db/inventory';
import { stageLevelChanges } from '../db/level-changes';
import { outboundEventId, stageOutbound } from '../db/outbox';
import { drawDownReservation } from '../db/draw-down-reservation';
import { lockOpenReservationsOfOrders } from '../db/reservations';
import { expiryEvents } from '../domain/holds';
import { planRelease, type ReservationLine } from '../domain/reservation-draw-down';

// Fixed namespace of the expiries' identities (UUID v5), distinct from the outbox's and the daily scan's.
const HOLD_EXPIRY_NAMESPACE = 'c3a1e4f2-7b6d-4e25-9a0c-5d8f1b2e6a47';

/**
 * The eventIds of one hold's expiry, from what it is about: the order and the
 * hold's deadline (the contract's rule for events without an inbound cause;
 * their causationId is null). Derived like any caused event's (outboundEventId)
 * from one id of the expiry, so an expiry applied twice (it cannot be: the
 * hold is EXPIRED after the first) would still mint the same two events.
 */
export function expiryEventIds(hold: Pick<DueHold, 'orderId' | 'holdUntil'>): { stockReleased: string; reservationExpired: string } {
  const expiry = uuidv5(`${hold.orderId}|${hold.holdUntil.toISOString()}`, HOLD_EXPIRY_NAMESPACE);
  return { stockReleased: outboundEventId(expiry, 'StockReleased'), reservationExpired: outboundEventId(expiry, 'ReservationExpired') };
}

export interface ReleasedHold {
  orderId: string;
  holdUntil: Date;
  /** The units that went back to available. */
  lines: ReservationLine[];
}

/**
 * One batch of the sweep, in ONE transaction: locks up to `limit` due holds
 * (skipping any that an order event or another sweeper holds), then their open
 * reservation rows and all the inventory rows they draw on, each in one
 * statement and in the global order, so a batch never deadlocks with a
 * reservation run or another batch. Each order's reservation is released with
 * the draw-down that OrderCancelled uses (RELEASE ledger rows, whose eventId is
 * the ReservationExpired's), its hold ends as EXPIRED, and StockReleased
 * (reason EXPIRED) and ReservationExpired go into the outbox, with the
 * OrderPlaced's correlationId; last, one InventoryLevelChanged per (product,
 * warehouse) the batch changed. Returns the holds released; fewer than
 * `limit` means nothing else was due.
 */
export async function releaseExpiredHolds(db: Db, now: Date, limit: number, skip: readonly string[] = []): Promise<ReleasedHold[]> {
  return db.$transaction((tx) => releaseInTransaction(tx, now, limit, skip), { isolationLevel: 'ReadCommitted', maxWait: 10_000, timeout: 60_000 });
}

/** A batch failed (and rolled back); orderIds names its holds, so a caller can find the one at fault. */
export class HoldReleaseFailed extends Error {
  constructor(
    readonly orderIds: readonly string[],
    override readonly cause: unknown,
  ) {
    super(`releasing the expired holds of ${orderIds.join(', ')} failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'HoldReleaseFailed';
  }
}

async function releaseInTransaction(tx: Tx, now: Date, limit: number, skip: readonly string[]): Promise<ReleasedHold[]> {
  const due = await lockDueHolds(tx, now, limit, skip);
  if (due.length === 0) return [];
  try {
    return await releaseHolds(tx, due, now);
  } catch (error) {
    throw new HoldReleaseFailed(due.map((h) => h.orderId), error);
  }
}

async function releaseHolds(tx: Tx, due: readonly DueHold[], now: Date): Promise<ReleasedHold[]> {
  const open = await lockOpenReservationsOfOrders(tx, due.map((h) => h.orderId));
  const releases = due.map((hold) => ({ hold, ids: expiryEventIds(hold), lines: planRelease(open.get(hold.orderId) ?? []).lines }));
  await lockStockRows(tx, releases.flatMap(({ lines }) => lines.flatMap((l) => l.allocations.map((a) => ({ productId: l.productId, locationId: a.locationId })))));

  for (const { hold, ids, lines } of releases) {
    if (lines.length > 0) await drawDownReservation({ tx, eventId: ids.reservationExpired, now }, hold.orderId, lines, 'RELEASE');
  }
  await endHolds(tx, due.map((h) => h.orderId), 'EXPIRED', now);
  await stageOutbound(
    tx,
    releases.map(({ hold, ids, lines }) => {
      const events = expiryEvents(hold, lines);
      return {
        cause: { eventId: null, correlationId: hold.correlationId },
        events: [
          { eventType: 'StockReleased' as const, key: hold.orderId, payload: events.stockReleased, eventId: ids.stockReleased },
          { eventType: 'ReservationExpired' as const, key: hold.orderId, payload: events.reservationExpired, eventId: ids.reservationExpired },
        ],
      };
    }),
    now,
  );
  // A batch of many expiries has no single cause: its level events carry causationId null too.
  await stageLevelChanges(tx, { eventId: null, correlationId: null }, now);
  return releases.map(({ hold, lines }) => ({ orderId: hold.orderId, holdUntil: hold.holdUntil, lines }));
}
