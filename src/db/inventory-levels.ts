import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import { stockStatus, type StockStatus } from '../domain/stock-status';

/** The figures of one product in one warehouse, as the API answers them and InventoryLevelChanged carries them. */
export interface InventoryLevel {
  productId: number;
  sku: string;
  warehouseId: number;
  onHand: number;
  reserved: number;
  /** onHand - reserved, never negative (each inventory row's quantity_available is CHECKed >= 0). */
  available: number;
  backordered: number;
  /** What purchase orders in SENT, CONFIRMED or PARTIAL still bring: ordered minus received, never below 0 per line. */
  incoming: number;
  status: StockStatus;
  reorderPoint: number;
  version: number;
}

export interface InventoryLevelFilter {
  productIds: readonly number[];
  /** Only this warehouse; all warehouses when absent. */
  warehouseId?: number;
}

/** The purchase-order statuses whose open quantities count as incoming (a DRAFT is not yet a promise to anyone). */
export const INCOMING_PO_STATUSES = ['SENT', 'CONFIRMED', 'PARTIAL'] as const;

/**
 * THE computation of (product, warehouse) figures, as a statement fragment
 * shared by the query API (readInventoryLevels) and the level events
 * (writeLevelChanges in level-changes.ts), so the two can never disagree:
 * rows (product_id, warehouse_id, on_hand, reserved, backordered, incoming),
 * one per warehouse where a product of `productIds` (an int[] expression) has
 * an inventory row (even at zero), incoming stock or open backorders (a
 * warehouse where a product is only backordered is a level too).
 * The sums are bigint: one product can hold more than 2^31 units in a
 * warehouse over several rows (the callers convert them with Number(), exact
 * far below 2^53).
 */
export function levelFigures(productIds: Prisma.Sql, warehouseId: number | null = null): Prisma.Sql {
  return Prisma.sql`
    WITH stock AS (
      SELECT i.product_id, l.warehouse_id, SUM(i.quantity_on_hand)::bigint AS on_hand, SUM(i.quantity_reserved)::bigint AS reserved
        FROM inventory i JOIN location l ON l.location_id = i.location_id
       WHERE i.product_id = ANY(${productIds}) AND (${warehouseId}::int IS NULL OR l.warehouse_id = ${warehouseId}::int)
       GROUP BY i.product_id, l.warehouse_id
    ), incoming AS (
      SELECT pl.product_id, po.warehouse_id, SUM(GREATEST(pl.quantity_ordered - pl.quantity_received, 0))::bigint AS incoming
        FROM purchase_order po JOIN purchase_order_line pl ON pl.po_id = po.po_id
       WHERE pl.product_id = ANY(${productIds}) AND (${warehouseId}::int IS NULL OR po.warehouse_id = ${warehouseId}::int)
         AND po.status::text = ANY(${[...INCOMING_PO_STATUSES]}::text[])
       GROUP BY pl.product_id, po.warehouse_id
    ), bo AS (${backorderedFigures(productIds, warehouseId)}
    ), keys AS (
      SELECT product_id, warehouse_id FROM stock
      UNION SELECT product_id, warehouse_id FROM incoming
      UNION SELECT product_id, warehouse_id FROM bo
    )
    SELECT k.product_id, k.warehouse_id, COALESCE(s.on_hand, 0) AS on_hand, COALESCE(s.reserved, 0) AS reserved,
           COALESCE(bo.backordered, 0) AS backordered, COALESCE(inc.incoming, 0) AS incoming
      FROM keys k
      LEFT JOIN stock s ON s.product_id = k.product_id AND s.warehouse_id = k.warehouse_id
      LEFT JOIN incoming inc ON inc.product_id = k.product_id AND inc.warehouse_id = k.warehouse_id
      LEFT JOIN bo ON bo.product_id = k.product_id AND bo.warehouse_id = k.warehouse_id`;
}

/**
 * Open backordered units per (product, warehouse) as a statement fragment
 * `(product_id, warehouse_id, backordered)`, for the figures the query API
 * and the level events report (levelFigures):
 * productIds is an int[] expression, warehouseId null for every warehouse.
 */
function backorderedFigures(productIds: Prisma.Sql, warehouseId: number | null = null): Prisma.Sql {
  return Prisma.sql`
    SELECT b.product_id, b.warehouse_id, SUM(b.quantity - b.quantity_allocated - b.quantity_cancelled)::bigint AS backordered
      FROM backorder b
     WHERE b.status = 'OPEN' AND b.product_id = ANY(${productIds}) AND (${warehouseId}::int IS NULL OR b.warehouse_id = ${warehouseId}::int)
     GROUP BY b.product_id, b.warehouse_id`;
}

/**
 * available and status from the figures: the one rule for the API and the
 * level events. LOW_STOCK tests available - backordered, as the reorder
 * trigger does; OUT_OF_STOCK stays available = 0.
 */
export function levelStatusOf(figures: { onHand: number; reserved: number; backordered: number; reorderPoint: number }): {
  available: number;
  status: StockStatus;
} {
  const available = Math.max(figures.onHand - figures.reserved, 0);
  return { available, status: stockStatus({ available, backordered: figures.backordered, reorderPoint: figures.reorderPoint }) };
}

/**
 * The figures of the given products per warehouse (levelFigures), ordered by
 * productId then warehouseId, with the version of the key's last
 * InventoryLevelChanged (0 before its first).
 *
 * It takes no row locks: on the plain client it reads the last committed
 * figures; inside a transaction that has locked and changed the rows, it reads
 * the figures that transaction commits.
 */
export async function readInventoryLevels(db: Db | Tx, filter: InventoryLevelFilter): Promise<InventoryLevel[]> {
  if (filter.productIds.length === 0) return [];
  const productIds = [...new Set(filter.productIds)];
  const rows = await db.$queryRaw<
    (Omit<InventoryLevel, 'available' | 'status' | 'onHand' | 'reserved' | 'backordered' | 'incoming'> &
      Record<'onHand' | 'reserved' | 'backordered' | 'incoming', bigint | number>)[]
  >`
    WITH figures AS (${levelFigures(Prisma.sql`${productIds}::int[]`, filter.warehouseId ?? null)})
    SELECT p.product_id AS "productId", p.sku, f.warehouse_id AS "warehouseId", p.reorder_point AS "reorderPoint",
           f.on_hand AS "onHand", f.reserved, f.backordered, f.incoming, COALESCE(v.version, 0) AS version
      FROM figures f
      JOIN product p ON p.product_id = f.product_id
      LEFT JOIN inventory_level v ON v.product_id = f.product_id AND v.warehouse_id = f.warehouse_id
     ORDER BY f.product_id, f.warehouse_id`;
  return rows.map((raw) => {
    const row = { ...raw, onHand: Number(raw.onHand), reserved: Number(raw.reserved), backordered: Number(raw.backordered), incoming: Number(raw.incoming) }; // exact: far below 2^53
    return { ...row, ...levelStatusOf(row) };
  });
}
