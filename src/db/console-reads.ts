import type { Db } from './client';
import { INCOMING_PO_STATUSES } from './inventory-levels';

/**
 * Reads the operator console needs beyond the contract's endpoints (search,
 * warehouses, a product's incoming purchase orders, the overview's counts).
 * Plain reads: no row locks, keyset pages (the last row's key, never OFFSET).
 */

export interface ProductSummary {
  productId: number;
  sku: string;
  name: string;
  isActive: boolean;
}

/** Escapes LIKE's wildcards: a SKU with % or _ is searched for as written. */
const likeText = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Products whose SKU starts with, or whose name contains, the text (case-insensitive), by SKU. */
export async function searchProducts(db: Db, q: string, after: string | null, limit: number): Promise<ProductSummary[]> {
  const pattern = likeText(q);
  return db.$queryRaw<ProductSummary[]>`
    SELECT product_id AS "productId", sku, name, is_active AS "isActive"
      FROM product
     WHERE (sku ILIKE ${`${pattern}%`} OR name ILIKE ${`%${pattern}%`})
       AND (${after}::text IS NULL OR sku > ${after}::text)
     ORDER BY sku
     LIMIT ${limit}`;
}

export interface WarehouseSummary {
  warehouseId: number;
  code: string;
  name: string;
  timezone: string;
}

export async function listWarehouses(db: Db, after: number | null, limit: number): Promise<WarehouseSummary[]> {
  return db.$queryRaw<WarehouseSummary[]>`
    SELECT warehouse_id AS "warehouseId", code, name, timezone
      FROM warehouse
     WHERE (${after}::int IS NULL OR warehouse_id > ${after}::int)
     ORDER BY warehouse_id
     LIMIT ${limit}`;
}

export interface IncomingLine {
  poId: number;
  warehouseId: number;
  status: string;
  /** YYYY-MM-DD, or null when the PO has none. */
  expectedDate: string | null;
  quantityOrdered: number;
  quantityReceived: number;
  quantityOpen: number;
}

/**
 * A product's open purchase orders that still bring something, soonest
 * expected first (undated last): the statuses that count as incoming plus
 * DRAFT (raised, not yet sent: people want to see it, but it is no promise
 * and not in the `incoming` figure). The page key is (expected date or
 * 'infinity', poId).
 */
export async function incomingOfProduct(db: Db, productId: number, after: { day: string; poId: number } | null, limit: number): Promise<IncomingLine[]> {
  const day = after?.day ?? null;
  const poId = after?.poId ?? null;
  return db.$queryRaw<IncomingLine[]>`
    SELECT po.po_id AS "poId", po.warehouse_id AS "warehouseId", po.status::text AS status,
           to_char(po.expected_date, 'YYYY-MM-DD') AS "expectedDate",
           SUM(pl.quantity_ordered)::int AS "quantityOrdered", SUM(pl.quantity_received)::int AS "quantityReceived",
           SUM(GREATEST(pl.quantity_ordered - pl.quantity_received, 0))::int AS "quantityOpen"
      FROM purchase_order po JOIN purchase_order_line pl ON pl.po_id = po.po_id
     WHERE pl.product_id = ${productId}::int
       AND po.status::text = ANY(${['DRAFT', ...INCOMING_PO_STATUSES]}::text[])
       AND (${day}::text IS NULL OR (COALESCE(po.expected_date::text, 'infinity'), po.po_id) > (${day}::text, ${poId}::int))
     GROUP BY po.po_id
    HAVING SUM(GREATEST(pl.quantity_ordered - pl.quantity_received, 0)) > 0
     ORDER BY COALESCE(po.expected_date::text, 'infinity'), po.po_id
     LIMIT ${limit}`;
}

export interface CodeCount {
  code: string;
  count: number;
}

/** Dead letters recorded since the instant, per code, most first. */
export async function deadLetterCountsSince(db: Db, since: Date): Promise<CodeCount[]> {
  return db.$queryRaw<CodeCount[]>`
    SELECT error_code AS code, count(*)::int AS count
      FROM dead_letter
     WHERE created_at >= ${since}
     GROUP BY error_code
     ORDER BY count(*) DESC, error_code`;
}

export interface OpenPurchaseOrders {
  status: string;
  count: number;
  earliestExpectedDate: string | null;
}

/** Purchase orders not yet received or cancelled, per status. */
export async function openPurchaseOrderCounts(db: Db): Promise<OpenPurchaseOrders[]> {
  return db.$queryRaw<OpenPurchaseOrders[]>`
    SELECT status::text AS status, count(*)::int AS count, to_char(min(expected_date), 'YYYY-MM-DD') AS "earliestExpectedDate"
      FROM purchase_order
     WHERE status::text IN ('DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL')
     GROUP BY status
     ORDER BY array_position(ARRAY['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL'], status::text)`;
}

export interface StockAlertKey {
  productId: number;
  warehouseId: number;
  name: string;
}

/**
 * Active products out of stock or below their reorder point in a warehouse
 * where they have inventory rows, by (sku, warehouse). The same test as
 * stockStatus (available <= 0, or available < reorder point); the figures
 * themselves are read afterwards through readInventoryLevels, the one
 * computation of a level.
 */
export async function stockAlertKeys(db: Db, after: { sku: string; warehouseId: number } | null, limit: number): Promise<(StockAlertKey & { sku: string })[]> {
  const sku = after?.sku ?? null;
  const warehouseId = after?.warehouseId ?? null;
  return db.$queryRaw<(StockAlertKey & { sku: string })[]>`
    SELECT p.product_id AS "productId", p.sku, p.name, l.warehouse_id AS "warehouseId"
      FROM inventory i
      JOIN location l ON l.location_id = i.location_id
      JOIN product p ON p.product_id = i.product_id
     WHERE p.is_active
       AND (${sku}::text IS NULL OR (p.sku, l.warehouse_id) > (${sku}::text, ${warehouseId}::int))
     GROUP BY p.product_id, l.warehouse_id
    HAVING SUM(i.quantity_on_hand - i.quantity_reserved) <= 0 OR SUM(i.quantity_on_hand - i.quantity_reserved) < p.reorder_point
     ORDER BY p.sku, l.warehouse_id
     LIMIT ${limit}`;
}

export interface ReceiptView {
  receiptId: string;
  receivedBy: string | null;
  receivedAt: Date;
  lines: { sku: string; locationId: number; location: string; quantity: number }[];
}

/**
 * A purchase order's goods receipts, oldest first, with where each put its
 * units away (its RECEIVE ledger rows, found by the receipt's eventId).
 * Page key: (received at, receiptId).
 */
export async function receiptsOfPurchaseOrder(db: Db, poId: number, after: { at: Date; receiptId: string } | null, limit: number): Promise<ReceiptView[]> {
  const at = after?.at ?? null;
  const receiptId = after?.receiptId ?? null;
  return db.$queryRaw<ReceiptView[]>`
    SELECT g.receipt_id AS "receiptId", g.received_by AS "receivedBy", g.created_at AS "receivedAt",
           COALESCE((SELECT json_agg(json_build_object('sku', p.sku, 'locationId', t.location_id,
                                                       'location', concat_ws('-', l.aisle, l.bay, l.level, l.bin), 'quantity', t.quantity)
                                     ORDER BY t.txn_id)
                       FROM inventory_transaction t
                       JOIN product p ON p.product_id = t.product_id
                       JOIN location l ON l.location_id = t.location_id
                      WHERE t.event_id = g.event_id AND t.txn_type = 'RECEIVE'), '[]'::json) AS lines
      FROM goods_receipt g
     WHERE g.po_id = ${poId}::int
       AND (${at}::timestamptz IS NULL OR (g.created_at, g.receipt_id) > (${at}::timestamptz, ${receiptId}::text))
     ORDER BY g.created_at, g.receipt_id
     LIMIT ${limit}`;
}
