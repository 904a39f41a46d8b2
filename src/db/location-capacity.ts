import type { Tx } from './types';
import type { Dimensions, LocationCapacity } from '../domain/capacity';
import { locationOccupancy } from '../domain/inventory-operations';

export interface LockedLocation extends LocationCapacity {
  warehouseId: number;
}

/**
 * Locks one location row and returns its limits and what its contents use,
 * for a decision that adds units to it (transfer in, put-away to a named
 * location). Whoever fills a location takes this lock first, before any
 * inventory row, so two fills cannot both see the same free room.
 *
 * FOR NO KEY UPDATE, not FOR UPDATE: it still queues fillers behind each other
 * (and behind FOR UPDATE), but does not block the FOR KEY SHARE that every
 * ledger, reservation or inventory insert takes on its location's row. With
 * FOR UPDATE an OrderPlaced holding an inventory row at this location would
 * wait on us while we wait on its row: a deadlock.
 *
 * The contents are read after the lock is granted; under READ COMMITTED that
 * statement sees everything the previous lock holder committed.
 */
export async function lockLocationForPutaway(tx: Tx, locationId: number): Promise<LockedLocation | null> {
  const [location] = await tx.$queryRaw<{ warehouse_id: number; max_weight_kg: string; max_volume_cubic_cm: number }[]>`
    SELECT warehouse_id, max_weight_kg::text AS max_weight_kg, max_volume_cubic_cm
      FROM location WHERE location_id = ${locationId}
       FOR NO KEY UPDATE`;
  if (!location) return null;
  const contents = await tx.$queryRaw<{ quantity: number; unit_weight_grams: number; dimensions: Dimensions }[]>`
    SELECT i.quantity_on_hand AS quantity, p.unit_weight_grams, p.dimensions
      FROM inventory i JOIN product p ON p.product_id = i.product_id
     WHERE i.location_id = ${locationId} AND i.quantity_on_hand > 0`;
  const used = locationOccupancy(contents.map((c) => ({ quantity: c.quantity, unitWeightGrams: c.unit_weight_grams, dimensions: c.dimensions })));
  return {
    locationId,
    warehouseId: location.warehouse_id,
    maxWeightKg: Number(location.max_weight_kg),
    maxVolumeCubicCm: location.max_volume_cubic_cm,
    ...used,
  };
}
