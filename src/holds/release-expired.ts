import { v5 as uuidv5 } from 'uuid';
import type { Db } from '../db/client';
import type { Tx } from '../db/types';
import { endHolds, lockDueHolds, type DueHold } from '../db/holds';
import { lockStockRows } from '../db/inventory';
import { stageLevelChanges } from '../db/level-changes';
import { outboundEventId, stageOutbound, type OutboundEvent } from '../db/outbox';
import { drawDownReservation } from '../db/draw-down-reservation';
import { lockOpenReservationsOfOrders } from '../db/reservations';
import { expiryEvents } from '../domain/holds';
import { planRelease, type ReservationLine } from '../domain/reservation-draw-down';
import { cancelOrderBackorders, releasedLines } from '../backorders/cancel';
import { fillBackordersInTransaction } from '../backorders/fill';

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
 * warehouse) the batch changed.
 *
 * Backorders, as OrderCancelled does them: the expiring orders' own open
 * backorders are cancelled (after the reservation rows, before the stock
 * rows: the lock order hold -> reservations -> backorders -> stock), so the
 * released units never go back to them; after the release, other orders'
 * open backorders of the released (product, warehouse) keys are filled from
 * those units in this transaction (BackorderAllocated, RESERVE ledger rows
 * with the ReservationExpired's eventId). Returns the holds released; fewer than
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
    throw new HoldReleaseFailed(
      due.map((h) => h.orderId),
      error,
    );
  }
}

async function releaseHolds(tx: Tx, due: readonly DueHold[], now: Date): Promise<ReleasedHold[]> {
  const open = await lockOpenReservationsOfOrders(
    tx,
    due.map((h) => h.orderId),
  );
  const releases = [];
  for (const hold of due) {
    const reserved = open.get(hold.orderId) ?? [];
    // Cancelled before any release below, so no expiring order of the batch is refilled from another's units.
    const backorders = await cancelOrderBackorders({ tx, now }, hold.orderId);
    releases.push({
      hold,
      ids: expiryEventIds(hold),
      lines: planRelease(reserved).lines,
      backorders,
      warehouseOf: new Map(reserved.map((r) => [r.locationId, r.warehouseId])),
    });
  }
  await lockStockRows(
    tx,
    releases.flatMap(({ lines }) => lines.flatMap((l) => l.allocations.map((a) => ({ productId: l.productId, locationId: a.locationId })))),
  );

  const caused = [];
  for (const { hold, ids, lines, backorders, warehouseOf } of releases) {
    const drawn = lines.length > 0 ? await drawDownReservation({ tx, eventId: ids.reservationExpired, now }, hold.orderId, lines, 'RELEASE') : [];
    const events = expiryEvents(hold, lines);
    const outbound: OutboundEvent[] = [
      // A v2 order's lines say what of their backorders was cancelled too (as on OrderCancelled); a v1 order's keep the v1 shape.
      {
        eventType: 'StockReleased',
        key: hold.orderId,
        payload: { ...events.stockReleased, lines: releasedLines(lines, backorders) },
        eventId: ids.stockReleased,
      },
      { eventType: 'ReservationExpired', key: hold.orderId, payload: events.reservationExpired, eventId: ids.reservationExpired },
    ];
    // The released units go to other orders' open backorders first (contract v2), right after their release, in the
    // name of this expiry: RESERVE ledger rows with its eventId, BackorderAllocated ids derived from it.
    const fill = {
      tx,
      now,
      eventId: ids.reservationExpired,
      emit: (e: OutboundEvent) => outbound.push({ ...e, eventId: outboundEventId(ids.reservationExpired, e.eventType, e.discriminator) } as OutboundEvent),
    };
    await fillBackordersInTransaction(
      fill,
      drawn.map((d) => ({ productId: d.productId, warehouseId: warehouseOf.get(d.locationId)! })),
    );
    caused.push({ cause: { eventId: null, correlationId: hold.correlationId }, events: outbound });
  }
  await endHolds(
    tx,
    due.map((h) => h.orderId),
    'EXPIRED',
    now,
  );
  await stageOutbound(tx, caused, now);
  // A batch of many expiries has no single cause: its level events carry causationId null too.
  await stageLevelChanges(tx, { eventId: null, correlationId: null }, now);
  return releases.map(({ hold, lines }) => ({ orderId: hold.orderId, holdUntil: hold.holdUntil, lines }));
}
