import { mergeLinesBy } from './order-lines';
import { checkRoom, suggestPutaway, unitVolumeCubicCm, type PutawayProduct } from './putaway';
import type { LocationCapacity } from './capacity';
import type { LocationType } from './types';

/** A location of the PO's warehouse as it stands before the receipt. */
export interface StorageLocation extends LocationCapacity {
  type: LocationType;
  /** Products of this receipt that the location already holds (on hand > 0). */
  heldProductIds: readonly number[];
  /** Holds nothing at all (of any product). */
  isEmpty: boolean;
}

/** One receipt line after product resolution; locationId is where the sender asked for it. */
export interface ReceiptPutawayLine {
  product: PutawayProduct & { sku: string };
  quantity: number;
  locationId?: number;
}

/** Units of one product booked into one location; unique per (productId, locationId). */
export interface ReceiptPlacement {
  productId: number;
  sku: string;
  locationId: number;
  quantity: number;
}

export type ReceiptPutawayPlan = { ok: true; placements: ReceiptPlacement[] } | { ok: false; reason: 'NO_PUTAWAY_CAPACITY'; detail: string };

/**
 * Where every line of one goods receipt goes, in a single pass over the
 * warehouse's locations, so that two products of one receipt never count the
 * same free space twice (each placement uses up its location's room, and
 * takes away "empty" for the next product).
 *
 * Lines that name a location go first and claim their space before any
 * suggestion fills it. A named location is used only when it belongs to the
 * warehouse (is among `locations`) and can take the whole line; otherwise the
 * line is put away by suggestPutaway like an unnamed one. If any line cannot
 * be placed the whole plan fails: a receipt is booked whole or not at all.
 */
export function planReceiptPutaway(lines: readonly ReceiptPutawayLine[], locations: readonly StorageLocation[]): ReceiptPutawayPlan {
  const state = new Map(locations.map((l) => [l.locationId, { ...l, heldProductIds: [...l.heldProductIds] }]));
  // Two lines for the same product and the same (or no) location are one request.
  const merged = mergeLinesBy(lines, (l) => `${l.product.productId}@${l.locationId ?? '*'}`);
  const ordered = [...merged.filter((l) => l.locationId !== undefined), ...merged.filter((l) => l.locationId === undefined)];
  const placements: ReceiptPlacement[] = [];

  for (const line of ordered) {
    const named = line.locationId !== undefined ? state.get(line.locationId) : undefined;
    let spots: { locationId: number; quantity: number }[];
    if (named && checkRoom(named, line.product, line.quantity).ok) {
      spots = [{ locationId: named.locationId, quantity: line.quantity }];
    } else {
      const candidates = [...state.values()].map((l) => ({ ...l, holdsProduct: l.heldProductIds.includes(line.product.productId) }));
      const suggestion = suggestPutaway({ product: line.product, quantity: line.quantity }, candidates);
      if (!suggestion.ok) {
        const detail = `${line.product.sku}: room for ${suggestion.placeable} of ${line.quantity} unit(s) in the warehouse`;
        return { ok: false, reason: 'NO_PUTAWAY_CAPACITY', detail };
      }
      spots = suggestion.placements;
    }
    for (const spot of spots) {
      const location = state.get(spot.locationId)!;
      location.usedWeightGrams += spot.quantity * line.product.unitWeightGrams;
      location.usedVolumeCubicCm += spot.quantity * unitVolumeCubicCm(line.product);
      if (!location.heldProductIds.includes(line.product.productId)) location.heldProductIds.push(line.product.productId);
      location.isEmpty = false;
      addPlacement(placements, { productId: line.product.productId, sku: line.product.sku, locationId: spot.locationId, quantity: spot.quantity });
    }
  }
  return { ok: true, placements };
}

/** Merges into an existing (product, location) entry: the inventory upsert may touch each row once. */
function addPlacement(placements: ReceiptPlacement[], placement: ReceiptPlacement): void {
  const same = placements.find((p) => p.productId === placement.productId && p.locationId === placement.locationId);
  if (same) same.quantity += placement.quantity;
  else placements.push(placement);
}
