import { unitsThatFit, type LocationCapacity, type UnitMeasures } from './capacity';
import type { LocationQuantity, LocationType } from './types';

export { checkRoom, unitsThatFit, unitVolumeCubicCm, type RoomCheck } from './capacity';

export interface PutawayProduct extends UnitMeasures {
  productId: number;
}

export interface PutawayRequest {
  product: PutawayProduct;
  quantity: number;
}

/** A location of the PO's warehouse that could take the goods. */
export interface PutawayCandidate extends LocationCapacity {
  type: LocationType;
  /** Already stores this product. */
  holdsProduct: boolean;
  /** Stores nothing at all. */
  isEmpty: boolean;
}

export type PutawaySuggestion =
  | { ok: true; placements: LocationQuantity[] }
  /** placeable: how many units the warehouse could take; none are placed. */
  | { ok: false; reason: 'NO_PUTAWAY_CAPACITY'; placeable: number };

/**
 * Groups, best first: consolidate with the same product (one place to pick
 * and count it), then an empty location (no mixed bins), then any location
 * with room.
 */
function groupRank(candidate: PutawayCandidate): number {
  if (candidate.holdsProduct) return 0;
  if (candidate.isEmpty) return 1;
  return 2;
}

/**
 * Within a group: pick faces first, so received goods are pickable without a
 * replenishment move (allocation draws pick faces first, so they empty
 * first); then bulk; overflow last, as it is meant for when planned space runs out.
 */
const PUTAWAY_TYPE_RANK: Readonly<Record<LocationType, number>> = { PICK_FACE: 0, BULK: 1, OVERFLOW: 2 };

/**
 * Where to put received units when the sender named no location. Locations
 * are taken in preference order (group, then type, then lowest locationId,
 * for a stable answer), each filled up to the whole units it can take, so
 * goods split only when one location cannot hold them all. If the warehouse
 * cannot take every unit nothing is placed: a receipt is booked whole or
 * rejected, never half put away.
 */
export function suggestPutaway(request: PutawayRequest, candidates: readonly PutawayCandidate[]): PutawaySuggestion {
  const ordered = [...candidates].sort(
    (a, b) => groupRank(a) - groupRank(b) || PUTAWAY_TYPE_RANK[a.type] - PUTAWAY_TYPE_RANK[b.type] || a.locationId - b.locationId,
  );
  const placements: LocationQuantity[] = [];
  let remaining = request.quantity;
  let placeable = 0;
  // placeable is only reported on failure, and then the loop has seen every location.
  for (const location of ordered) {
    if (remaining === 0) break;
    const fits = unitsThatFit(location, request.product);
    if (fits <= 0) continue;
    placeable += fits;
    const quantity = Math.min(remaining, fits);
    placements.push({ locationId: location.locationId, quantity });
    remaining -= quantity;
  }
  if (remaining > 0) return { ok: false, reason: 'NO_PUTAWAY_CAPACITY', placeable };
  return { ok: true, placements };
}
