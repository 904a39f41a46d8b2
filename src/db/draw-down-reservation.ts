import type { Tx } from './types';
import { applyStockChanges, lockStockRows } from './inventory';
import { appendLedger } from './ledger';
import { drawFromReservations } from './reservations';
import type { ReservationDraw, ReservationLine } from '../domain/reservation-draw-down';
import { InvariantViolation } from '../errors';

/**
 * What a draw-down needs of the work it is part of: an order's own event (the
 * handler's EventContext fits) or the hold-expiry sweeper. eventId goes on the
 * ledger rows.
 */
export interface DrawContext {
  tx: Tx;
  eventId: string;
  now: Date;
}

/** One reservation row's share of a shipment or release, with the product it is for. */
export interface ProductDraw extends ReservationDraw {
  productId: number;
}

function drawsOf(lines: readonly ReservationLine[]): ProductDraw[] {
  return lines.flatMap((line) => line.allocations.map((a) => ({ productId: line.productId, ...a })));
}

/**
 * Takes an order's planned lines out of its reservation rows (already locked by
 * lockOpenReservations): locks their inventory rows, lowers reserved, and on
 * hand too when the goods leave (SHIP), counts the units on the reservation
 * rows and writes one ledger row per row drawn. What OrderShipped,
 * OrderCancelled and the expiry of a hold have in common; returns the draws.
 */
export async function drawDownReservation(
  ctx: DrawContext,
  orderId: string,
  lines: readonly ReservationLine[],
  how: 'SHIP' | 'RELEASE',
): Promise<ProductDraw[]> {
  const { tx, now } = ctx;
  const draws = drawsOf(lines);
  await lockDrawnStock(tx, draws);
  // Shipped goods leave: on hand and reserved go down together, so available stays where it was.
  // Released units stay on the shelf: only reserved goes down.
  const onHand = how === 'SHIP' ? -1 : 0;
  await applyStockChanges(
    tx,
    draws.map((d) => ({ productId: d.productId, locationId: d.locationId, onHandDelta: onHand * d.quantity, reservedDelta: -d.quantity })),
    now,
  );
  await drawFromReservations(tx, draws, how, now);
  await appendLedger(
    tx,
    ctx.eventId,
    draws.map((d) => ({ productId: d.productId, locationId: d.locationId, txnType: how, quantity: -d.quantity, referenceType: 'ORDER', referenceId: orderId })),
    now,
  );
  return draws;
}

/**
 * Locks the inventory rows the draws come out of (after the reservation rows:
 * see lockOpenReservations). An open reservation whose inventory row is gone
 * means the stock tables disagree with each other, not that the event is bad:
 * that is thrown as a plain error, which the runner retries (and alerts on)
 * instead of dead-lettering a real shipment.
 */
async function lockDrawnStock(tx: Tx, draws: readonly ProductDraw[]): Promise<void> {
  const locked = await lockStockRows(tx, draws);
  const found = new Set(locked.map((row) => `${row.productId}@${row.locationId}`));
  const missing = draws.filter((d) => !found.has(`${d.productId}@${d.locationId}`));
  if (missing.length > 0) {
    throw new InvariantViolation(`reservation rows ${missing.map((d) => d.reservationId).join(', ')} point at inventory rows that do not exist`);
  }
}
