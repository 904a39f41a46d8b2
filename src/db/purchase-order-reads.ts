import type { Db } from './client';
import type { Tx } from './types';
import { INCOMING_PO_STATUSES } from './inventory-levels';

export interface PurchaseOrderView {
  poId: number;
  supplierId: number;
  warehouseId: number;
  status: string;
  /** YYYY-MM-DD, a day in the warehouse's time zone. */
  expectedDate: string | null;
  trigger: string | null;
  createdAt: Date;
  updatedAt: Date;
  lines: { productId: number; sku: string; ordered: number; received: number; unitCost: string }[];
}

type Header = Omit<PurchaseOrderView, 'lines'>;

const HEADER = `po.po_id AS "poId", po.supplier_id AS "supplierId", po.warehouse_id AS "warehouseId", po.status::text AS status,
  to_char(po.expected_date, 'YYYY-MM-DD') AS "expectedDate", po."trigger", po.created_at AS "createdAt", po.updated_at AS "updatedAt"`;

/** Purchase orders newest first (by poId), keyset-paged, with their lines; no locks. */
export async function listPurchaseOrders(db: Db, f: { status?: string; warehouseId?: number; before?: number; limit: number }): Promise<PurchaseOrderView[]> {
  const headers = await db.$queryRawUnsafe<Header[]>(
    `SELECT ${HEADER} FROM purchase_order po
      WHERE ($1::text IS NULL OR po.status::text = $1::text) AND ($2::int IS NULL OR po.warehouse_id = $2::int) AND ($3::int IS NULL OR po.po_id < $3::int)
      ORDER BY po.po_id DESC LIMIT $4`,
    f.status ?? null,
    f.warehouseId ?? null,
    f.before ?? null,
    f.limit,
  );
  return withLines(db, headers);
}

export async function readPurchaseOrder(db: Db, poId: number): Promise<PurchaseOrderView | null> {
  const headers = await db.$queryRawUnsafe<Header[]>(`SELECT ${HEADER} FROM purchase_order po WHERE po.po_id = $1`, poId);
  const [po] = await withLines(db, headers);
  return po ?? null;
}

async function withLines(db: Db, headers: Header[]): Promise<PurchaseOrderView[]> {
  if (headers.length === 0) return [];
  const lines = await db.$queryRaw<(PurchaseOrderView['lines'][number] & { poId: number })[]>`
    SELECT pl.po_id AS "poId", pl.product_id AS "productId", p.sku, pl.quantity_ordered AS ordered, pl.quantity_received AS received, pl.unit_cost::text AS "unitCost"
      FROM purchase_order_line pl JOIN product p ON p.product_id = pl.product_id
     WHERE pl.po_id = ANY(${headers.map((h) => h.poId)}::int[])
     ORDER BY pl.po_id, pl.po_line_id`;
  return headers.map((h) => ({
    ...h,
    lines: lines
      .filter((l) => l.poId === h.poId)
      .map((l) => ({ productId: l.productId, sku: l.sku, ordered: l.ordered, received: l.received, unitCost: l.unitCost })),
  }));
}

export interface IncomingPurchaseOrder {
  poId: number;
  warehouseId: number;
  expectedDate: string | null;
  /** Ordered minus received, never below 0. */
  quantity: number;
}

/** What open purchase orders (SENT, CONFIRMED, PARTIAL) still bring of one product, per PO: the promise's supply. No locks. */
export async function incomingPurchaseOrders(db: Db | Tx, productId: number, warehouseId?: number): Promise<IncomingPurchaseOrder[]> {
  return db.$queryRaw<IncomingPurchaseOrder[]>`
    SELECT po.po_id AS "poId", po.warehouse_id AS "warehouseId", to_char(po.expected_date, 'YYYY-MM-DD') AS "expectedDate",
           GREATEST(pl.quantity_ordered - pl.quantity_received, 0) AS quantity
      FROM purchase_order po JOIN purchase_order_line pl ON pl.po_id = po.po_id
     WHERE pl.product_id = ${productId} AND (${warehouseId ?? null}::int IS NULL OR po.warehouse_id = ${warehouseId ?? null}::int)
       AND po.status::text = ANY(${[...INCOMING_PO_STATUSES]}::text[])
     ORDER BY po.warehouse_id, po.expected_date NULLS LAST, po.po_id`;
}

/** Warehouse time zones (promise days are days in them). */
export async function warehouseTimezones(db: Db | Tx, warehouseIds: readonly number[]): Promise<Map<number, string>> {
  if (warehouseIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ warehouseId: number; timezone: string }[]>`
    SELECT warehouse_id AS "warehouseId", timezone FROM warehouse WHERE warehouse_id = ANY(${[...new Set(warehouseIds)]}::int[])`;
  return new Map(rows.map((r) => [r.warehouseId, r.timezone]));
}
