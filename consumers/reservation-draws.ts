import type { Tx } from '../src/db/types';
import { lockStockRows } from '../src/db/inventory';
import type { ReservationDraw, ReservationLine } from '../src/domain/shipment';

/** One reservation row's share of a shipment or release, with the product it is for. */
export interface ProductDraw extends ReservationDraw {
  productId: number;
}

export function drawsOf(lines: readonly ReservationLine[]): ProductDraw[] {
  return lines.flatMap((line) => line.allocations.map((a) => ({ productId: line.productId, ...a })));
}

/**
 * Locks the inventory rows the draws come out of (after the reservation rows:
 * see lockOpenReservations). An open reservation whose inventory row is gone
 * means the stock tables disagree with each other, not that the event is bad:
 * that is thrown as a plain error, which the runner retries (and alerts on)
 * instead of dead-lettering a real shipment.
 */
export async function lockDrawnStock(tx: Tx, draws: readonly ProductDraw[]): Promise<void> {
  const locked = await lockStockRows(tx, draws);
  const found = new Set(locked.map((row) => `${row.productId}@${row.locationId}`));
  const missing = draws.filter((d) => !found.has(`${d.productId}@${d.locationId}`));
  if (missing.length > 0) {
    throw new Error(`reservation rows ${missing.map((d) => d.reservationId).join(', ')} point at inventory rows that do not exist`);
  }
}
