import { Prisma } from '../generated/prisma/client';
import type { Tx } from './types';
import type { LocationType } from '../domain/types';
import type { StorageLocation } from '../domain/receipt-putaway';

interface StorageRow {
  location_id: number;
  type: LocationType;
  max_weight_kg: number;
  max_volume_cubic_cm: number;
  used_weight_grams: number;
  used_volume_cubic_cm: number;
  held_product_ids: number[];
  is_empty: boolean;
}

/**
 * The locations of a warehouse as put-away sees them: limits, the weight and
 * volume their current contents use (on hand x each product's unit weight and
 * its dimensions in mm -> cm3), which of `productIds` they already hold, and
 * whether they hold anything. A plain read: use lockStorageLocations for the
 * rows the receipt will actually write to.
 */
export async function storageLocations(tx: Tx, warehouseId: number, productIds: readonly number[]): Promise<StorageLocation[]> {
  return readStorage(tx, warehouseId, productIds, null);
}

/**
 * Locks the given locations of the warehouse and returns their usage read
 * after the lock, so it includes everything committed by whoever held them
 * before. Rows are locked in location_id order, the one order every path
 * uses, so two receipts wanting overlapping locations queue instead of
 * deadlocking.
 *
 * FOR NO KEY UPDATE rather than FOR UPDATE: it excludes another receipt (or
 * any FOR UPDATE / NO KEY UPDATE locker) just the same, but not the FOR KEY
 * SHARE that PostgreSQL takes on location for every foreign-key check, so
 * ledger and reservation inserts of orders at these locations are not held up
 * by a receipt. Location ids of another warehouse are ignored.
 */
export async function lockStorageLocations(
  tx: Tx,
  warehouseId: number,
  locationIds: readonly number[],
  productIds: readonly number[],
): Promise<StorageLocation[]> {
  if (locationIds.length === 0) return [];
  await tx.$queryRaw`
    SELECT location_id FROM location
     WHERE warehouse_id = ${warehouseId} AND location_id = ANY(${[...locationIds]}::int[])
     ORDER BY location_id
       FOR NO KEY UPDATE`;
  // A second statement: FOR UPDATE cannot go with the GROUP BY, and in READ
  // COMMITTED this one sees what the previous lock holders committed.
  return readStorage(tx, warehouseId, productIds, locationIds);
}

async function readStorage(tx: Tx, warehouseId: number, productIds: readonly number[], only: readonly number[] | null): Promise<StorageLocation[]> {
  const filter = only ? Prisma.sql`AND l.location_id = ANY(${[...only]}::int[])` : Prisma.empty;
  // numeric arithmetic: on_hand x grams overflows int4 for heavy bulk stock.
  const rows = await tx.$queryRaw<StorageRow[]>`
    SELECT l.location_id, l.type::text AS type,
           l.max_weight_kg::float8 AS max_weight_kg, l.max_volume_cubic_cm,
           COALESCE(SUM(i.quantity_on_hand::numeric * p.unit_weight_grams), 0)::float8 AS used_weight_grams,
           COALESCE(SUM(i.quantity_on_hand::numeric
                        * (p.dimensions->>'length')::numeric
                        * (p.dimensions->>'width')::numeric
                        * (p.dimensions->>'height')::numeric / 1000), 0)::float8 AS used_volume_cubic_cm,
           COALESCE(array_agg(i.product_id ORDER BY i.product_id)
                      FILTER (WHERE i.quantity_on_hand > 0 AND i.product_id = ANY(${[...productIds]}::int[])), '{}') AS held_product_ids,
           COUNT(i.inventory_id) FILTER (WHERE i.quantity_on_hand > 0) = 0 AS is_empty
      FROM location l
      LEFT JOIN inventory i ON i.location_id = l.location_id
      LEFT JOIN product p ON p.product_id = i.product_id
     WHERE l.warehouse_id = ${warehouseId} ${filter}
     GROUP BY l.location_id
     ORDER BY l.location_id`;
  return rows.map((r) => ({
    locationId: r.location_id,
    type: r.type,
    maxWeightKg: r.max_weight_kg,
    maxVolumeCubicCm: r.max_volume_cubic_cm,
    usedWeightGrams: r.used_weight_grams,
    usedVolumeCubicCm: r.used_volume_cubic_cm,
    heldProductIds: r.held_product_ids,
    isEmpty: r.is_empty,
  }));
}

/** The warehouse of each of these locations; ids that match no location are absent. */
export async function locationWarehouses(tx: Tx, locationIds: readonly number[]): Promise<{ locationId: number; warehouseId: number }[]> {
  return tx.location.findMany({ where: { locationId: { in: [...locationIds] } }, select: { locationId: true, warehouseId: true } });
}
