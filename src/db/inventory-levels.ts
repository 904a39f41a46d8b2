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
 * THE computation of a (product, warehouse)'s figures, shared by the query
 * API and the level events so the two can never disagree. One row per
 * warehouse where the product has an inventory row (even at zero) or incoming
 * stock, ordered by productId then warehouseId.
 *
 * It takes no row locks: on the plain client it reads the last committed
 * figures; inside a transaction that has locked and changed the rows, it reads
 * the figures that transaction commits.
 *
 * backordered is 0 and version 0 until the backorder and level-version tables
 * exist (no backorders are in the schema yet); they are read here once they do.
 */
export async function readInventoryLevels(db: Db | Tx, filter: InventoryLevelFilter): Promise<InventoryLevel[]> {
  if (filter.productIds.length === 0) return [];
  const productIds = [...new Set(filter.productIds)];
  const warehouseId = filter.warehouseId ?? null;
  const rows = await db.$queryRaw<Omit<InventoryLevel, 'available' | 'status' | 'backordered' | 'version'>[]>`
    WITH stock AS (
      SELECT i.product_id, l.warehouse_id, SUM(i.quantity_on_hand)::int AS on_hand, SUM(i.quantity_reserved)::int AS reserved
        FROM inventory i JOIN location l ON l.location_id = i.location_id
       WHERE i.product_id = ANY(${productIds}::int[]) AND (${warehouseId}::int IS NULL OR l.warehouse_id = ${warehouseId}::int)
       GROUP BY i.product_id, l.warehouse_id
    ), incoming AS (
      SELECT pl.product_id, po.warehouse_id, SUM(GREATEST(pl.quantity_ordered - pl.quantity_received, 0))::int AS incoming
        FROM purchase_order po JOIN purchase_order_line pl ON pl.po_id = po.po_id
       WHERE pl.product_id = ANY(${productIds}::int[]) AND (${warehouseId}::int IS NULL OR po.warehouse_id = ${warehouseId}::int)
         AND po.status::text = ANY(${[...INCOMING_PO_STATUSES]}::text[])
       GROUP BY pl.product_id, po.warehouse_id
    ), keys AS (
      SELECT product_id, warehouse_id FROM stock UNION SELECT product_id, warehouse_id FROM incoming
    )
    SELECT p.product_id AS "productId", p.sku, k.warehouse_id AS "warehouseId", p.reorder_point AS "reorderPoint",
           COALESCE(s.on_hand, 0) AS "onHand", COALESCE(s.reserved, 0) AS reserved, COALESCE(inc.incoming, 0) AS incoming
      FROM keys k
      JOIN product p ON p.product_id = k.product_id
      LEFT JOIN stock s ON s.product_id = k.product_id AND s.warehouse_id = k.warehouse_id
      LEFT JOIN incoming inc ON inc.product_id = k.product_id AND inc.warehouse_id = k.warehouse_id
     ORDER BY k.product_id, k.warehouse_id`;
  return rows.map((row) => {
    const available = Math.max(row.onHand - row.reserved, 0);
    return { ...row, available, backordered: 0, version: 0, status: stockStatus({ available, reorderPoint: row.reorderPoint }) };
  });
}
