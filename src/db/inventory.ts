import { Prisma } from '../generated/prisma/client';
import type { Tx } from './types';
import { recordStockRowChanges } from './level-changes';
import type { LocationType } from '../domain/types';
import type { StockAtLocation } from '../domain/pick-sequence';

export interface LockedStock extends StockAtLocation {
  inventoryId: number;
  productId: number;
}

/** A product's stock in one warehouse. */
export interface WarehouseProduct {
  warehouseId: number;
  productId: number;
}

/**
 * Locks the inventory rows of the given products in the given warehouses
 * (SELECT ... FOR UPDATE) and returns them by warehouse, then product. Rows
 * are locked in one fixed order, (product_id, location_id), by every code
 * path: two transactions that want overlapping rows queue behind each other
 * instead of deadlocking. One statement however many orders are reserved.
 */
export async function lockWarehouseStock(tx: Tx, pairs: readonly WarehouseProduct[]): Promise<Map<number, Map<number, LockedStock[]>>> {
  const result = new Map<number, Map<number, LockedStock[]>>();
  if (pairs.length === 0) return result;
  const rows = await tx.$queryRaw<
    { inventory_id: number; warehouse_id: number; product_id: number; location_id: number; type: LocationType; on_hand: number; reserved: number }[]
  >`
    SELECT i.inventory_id, l.warehouse_id, i.product_id, i.location_id, l.type::text AS type,
           i.quantity_on_hand AS on_hand, i.quantity_reserved AS reserved
      FROM inventory i JOIN location l ON l.location_id = i.location_id
     WHERE (l.warehouse_id, i.product_id) IN (SELECT * FROM unnest(${pairs.map((p) => p.warehouseId)}::int[], ${pairs.map((p) => p.productId)}::int[]))
     ORDER BY i.product_id, i.location_id
       FOR UPDATE OF i`;
  for (const r of rows) {
    const byProduct = result.get(r.warehouse_id) ?? new Map<number, LockedStock[]>();
    const list = byProduct.get(r.product_id) ?? [];
    list.push({
      inventoryId: r.inventory_id,
      productId: r.product_id,
      locationId: r.location_id,
      locationType: r.type,
      onHand: r.on_hand,
      reserved: r.reserved,
    });
    byProduct.set(r.product_id, list);
    result.set(r.warehouse_id, byProduct);
  }
  return result;
}

export interface StockRowKey {
  productId: number;
  locationId: number;
}

/**
 * Locks exactly the inventory rows named by (product, location) pairs, in the
 * same fixed (product_id, location_id) order as lockWarehouseStock, and
 * returns them in that order. For changes that already know their rows (a
 * reservation names its locations). A pair with no inventory row is missing
 * from the result; the caller decides whether that is an error.
 */
export async function lockStockRows(tx: Tx, pairs: readonly StockRowKey[]): Promise<(StockRowKey & { onHand: number; reserved: number })[]> {
  if (pairs.length === 0) return [];
  const rows = await tx.$queryRaw<{ product_id: number; location_id: number; on_hand: number; reserved: number }[]>`
    SELECT i.product_id, i.location_id, i.quantity_on_hand AS on_hand, i.quantity_reserved AS reserved
      FROM inventory i
     WHERE (i.product_id, i.location_id) IN (
             SELECT * FROM unnest(${pairs.map((p) => p.productId)}::int[], ${pairs.map((p) => p.locationId)}::int[]))
     ORDER BY i.product_id, i.location_id
       FOR UPDATE OF i`;
  return rows.map((r) => ({ productId: r.product_id, locationId: r.location_id, onHand: r.on_hand, reserved: r.reserved }));
}

export interface StockChange {
  productId: number;
  locationId: number;
  onHandDelta: number;
  reservedDelta: number;
}

/**
 * Applies changes to inventory rows, one statement per kind of change however
 * many rows. Increases may land in a location that holds nothing of the product
 * yet (receiving, transfer in), so they upsert; everything else updates rows
 * that the caller has locked. Increases cannot go through the upsert together
 * with decreases: PostgreSQL checks the CHECK constraints on the proposed new
 * row before it looks for a conflict. The CHECKs refuse anything that would
 * oversell, whatever the caller computed.
 */
export async function applyStockChanges(tx: Tx, changes: readonly StockChange[], now: Date, opts: { counted?: boolean } = {}): Promise<void> {
  // Rows are locked as they are written: in the one fixed order, (product_id, location_id), like every lock.
  const sorted = [...changes].sort((a, b) => a.productId - b.productId || a.locationId - b.locationId);
  recordStockRowChanges(tx, sorted);
  const increases = sorted.filter((c) => c.onHandDelta > 0 && c.reservedDelta >= 0);
  const others = sorted.filter((c) => !increases.includes(c));
  const counted = opts.counted ? now : null;
  if (increases.length > 0) {
    await tx.$executeRaw`
      INSERT INTO inventory AS i (product_id, location_id, quantity_on_hand, quantity_reserved, last_moved_at, last_counted_at)
      SELECT v.product_id, v.location_id, v.on_hand, v.reserved, ${now}, ${counted}::timestamptz
        FROM ${changeRows(increases)}
      ON CONFLICT (product_id, location_id) DO UPDATE
         SET quantity_on_hand = i.quantity_on_hand + EXCLUDED.quantity_on_hand,
             quantity_reserved = i.quantity_reserved + EXCLUDED.quantity_reserved,
             last_moved_at = EXCLUDED.last_moved_at,
             last_counted_at = COALESCE(EXCLUDED.last_counted_at, i.last_counted_at)`;
  }
  if (others.length > 0) {
    await tx.$executeRaw`
      UPDATE inventory AS i
         SET quantity_on_hand = i.quantity_on_hand + v.on_hand,
             quantity_reserved = i.quantity_reserved + v.reserved,
             last_moved_at = CASE WHEN v.on_hand <> 0 THEN ${now}::timestamptz ELSE i.last_moved_at END,
             last_counted_at = COALESCE(${counted}::timestamptz, i.last_counted_at)
        FROM ${changeRows(others)}
       WHERE i.product_id = v.product_id AND i.location_id = v.location_id`;
  }
}

/**
 * The changes as a row set `v(product_id, location_id, on_hand, reserved)`.
 * Four array parameters however many rows: Prisma's cost grows with the number
 * of parameters, and a batch of orders touches hundreds of rows.
 */
function changeRows(changes: readonly StockChange[]): Prisma.Sql {
  return Prisma.sql`unnest(${changes.map((c) => c.productId)}::int[], ${changes.map((c) => c.locationId)}::int[], ${changes.map((c) => c.onHandDelta)}::int[], ${changes.map((c) => c.reservedDelta)}::int[]) AS v(product_id, location_id, on_hand, reserved)`;
}
