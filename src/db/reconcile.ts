import type { Db } from './client';

/**
 * The reads of `reconcile` (src/ops/reconcile.ts): stock recomputed from its
 * sources of truth, and the backorders that may break contract v2's rules.
 * Each is one statement, so it sees one snapshot and can run while the
 * service works.
 */

/** One (product, location) place: inventory's figures beside the ledger's and the reservations'. */
export interface StockReconciliationRow {
  product_id: number;
  location_id: number;
  sku: string;
  warehouse: string;
  location: string;
  has_inventory: boolean;
  on_hand: bigint;
  reserved: bigint;
  ledger_on_hand: bigint;
  ledger_rows: bigint;
  open_reserved: bigint;
}

/**
 * Every place that inventory, the ledger or a reservation names: on hand =
 * sum of RECEIVE/SHIP/ADJUST/TRANSFER ledger rows, reserved = sum of what
 * reservations still hold (quantity - shipped - released). One statement:
 * every event's stock, ledger and reservation rows commit together, so one
 * snapshot of all three agrees unless something is wrong.
 */
export async function stockReconciliationRows(db: Db): Promise<StockReconciliationRow[]> {
  return db.$queryRaw<StockReconciliationRow[]>`
    WITH ledger AS (
      SELECT product_id, location_id,
             COALESCE(SUM(quantity) FILTER (WHERE txn_type IN ('RECEIVE', 'SHIP', 'ADJUST', 'TRANSFER')), 0)::bigint AS on_hand,
             count(*)::bigint AS n
        FROM inventory_transaction GROUP BY product_id, location_id),
    held AS (
      SELECT product_id, location_id, SUM(quantity - quantity_shipped - quantity_released)::bigint AS reserved
        FROM reservation GROUP BY product_id, location_id),
    places AS (
      SELECT product_id, location_id FROM inventory
      UNION SELECT product_id, location_id FROM ledger
      UNION SELECT product_id, location_id FROM held)
    SELECT p.product_id, p.location_id, pr.sku, w.code AS warehouse,
           concat_ws('-', l.aisle, l.bay, l.level, l.bin) AS location,
           (i.product_id IS NOT NULL) AS has_inventory,
           COALESCE(i.quantity_on_hand, 0)::bigint AS on_hand,
           COALESCE(i.quantity_reserved, 0)::bigint AS reserved,
           COALESCE(lg.on_hand, 0)::bigint AS ledger_on_hand,
           COALESCE(lg.n, 0)::bigint AS ledger_rows,
           COALESCE(h.reserved, 0)::bigint AS open_reserved
      FROM places p
      JOIN product pr ON pr.product_id = p.product_id
      JOIN location l ON l.location_id = p.location_id
      JOIN warehouse w ON w.warehouse_id = l.warehouse_id
      LEFT JOIN inventory i ON i.product_id = p.product_id AND i.location_id = p.location_id
      LEFT JOIN ledger lg ON lg.product_id = p.product_id AND lg.location_id = p.location_id
      LEFT JOIN held h ON h.product_id = p.product_id AND h.location_id = p.location_id
     ORDER BY p.product_id, p.location_id`;
}

export interface BackorderReconciliationRow {
  order_id: string;
  product_id: number;
  sku: string;
  warehouse: string;
  line_quantity: number;
  quantity: number;
  allocated: number;
  cancelled: number;
  open: number;
  status: string;
  available: bigint;
}

/**
 * The open backorders, with what is available of their product in their
 * warehouse, and every backorder whose figures break a CHECK (the CHECKs
 * forbid them; read anyway, a constraint can be dropped).
 */
export async function backorderReconciliationRows(db: Db): Promise<BackorderReconciliationRow[]> {
  return db.$queryRaw<BackorderReconciliationRow[]>`
    SELECT b.order_id, b.product_id, p.sku, w.code AS warehouse, b.line_quantity, b.quantity,
           b.quantity_allocated AS allocated, b.quantity_cancelled AS cancelled,
           b.quantity - b.quantity_allocated - b.quantity_cancelled AS open, b.status::text AS status,
           COALESCE((SELECT SUM(i.quantity_available) FROM inventory i JOIN location l ON l.location_id = i.location_id
                      WHERE l.warehouse_id = b.warehouse_id AND i.product_id = b.product_id), 0)::bigint AS available
      FROM backorder b JOIN product p ON p.product_id = b.product_id JOIN warehouse w ON w.warehouse_id = b.warehouse_id
     WHERE b.status = 'OPEN' OR b.quantity < 0 OR b.quantity_allocated < 0 OR b.quantity_cancelled < 0
        OR b.quantity > b.line_quantity OR b.quantity_allocated + b.quantity_cancelled > b.quantity
     ORDER BY b.backorder_id`;
}
