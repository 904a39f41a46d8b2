import type { LocationType, StockSlot } from './types';

/** The part of an inventory row that picking decisions read. */
export type StockAtLocation = Pick<StockSlot, 'locationId' | 'locationType' | 'onHand' | 'reserved'>;

/**
 * Pick faces first because that is where pickers already walk; bulk needs a
 * reach truck but is planned space; overflow is a stop-gap, used last.
 */
export const PICK_PRIORITY: Readonly<Record<LocationType, number>> = { PICK_FACE: 0, BULK: 1, OVERFLOW: 2 };

/**
 * What can still be promised from a row. Clamped at zero so a row that is
 * somehow over-reserved cannot cancel out stock that other rows really have.
 */
export function availableAt(slot: Pick<StockSlot, 'onHand' | 'reserved'>): number {
  return Math.max(0, slot.onHand - slot.reserved);
}

export function totalAvailable(slots: readonly Pick<StockSlot, 'onHand' | 'reserved'>[]): number {
  return slots.reduce((sum, slot) => sum + availableAt(slot), 0);
}

/**
 * Rows with something available, in the order stock is taken from them:
 * by PICK_PRIORITY, then the row with the most available first (one location
 * covers more, so an order is split across fewer locations), then the lowest
 * locationId so equal rows always come out in the same order.
 */
export function pickSequence<T extends StockAtLocation>(slots: readonly T[]): T[] {
  return slots
    .filter((slot) => availableAt(slot) > 0)
    .sort((a, b) => PICK_PRIORITY[a.locationType] - PICK_PRIORITY[b.locationType] || availableAt(b) - availableAt(a) || a.locationId - b.locationId);
}
