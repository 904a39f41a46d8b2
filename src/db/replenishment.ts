import type { Db } from './client';
import type { Tx } from './types';
import { recordProductChanges, recordPurchaseOrderChanges } from './level-changes';
import type { ReplenishableProduct, ReplenishmentTrigger } from '../domain/replenishment';
import { OPEN_PURCHASE_ORDER_STATUSES } from '../domain/purchase-order-status';

/**
 * The replenishment queries: what the reorder-point trigger and the daily
 * scan read (candidates, demand history) and the purchase orders they write.
 * The decisions themselves are src/domain/replenishment.ts's.
 */

/** What a replenishment decision needs about one product in one warehouse. */
export interface ReplenishmentCandidate extends ReplenishableProduct {
  productId: number;
  sku: string;
  warehouseId: number;
  timezone: string;
  available: number;
  /** Contract v2: units of open backorders waiting in the warehouse. */
  backordered: number;
  hasOpenPurchaseOrder: boolean;
}

/**
 * Reads products with auto-replenishment on, in the warehouses that stock them
 * (hold an inventory row, even at zero), with
 * their available quantity there and whether an open purchase order (any PO
 * with a line for the product: replenishment or imported) already covers them.
 */
export async function loadReplenishmentCandidates(tx: Tx, filter: { warehouseId?: number; productIds?: number[] }): Promise<ReplenishmentCandidate[]> {
  // available is a bigint: one product can hold more than 2^31 units in a warehouse over several rows.
  const rows = await tx.$queryRaw<(Omit<ReplenishmentCandidate, 'available' | 'backordered'> & { available: bigint; backordered: bigint })[]>`
    SELECT p.product_id AS "productId", p.sku, p.supplier_id AS "supplierId", p.is_active AS "isActive",
           p.auto_replenish AS "autoReplenish", p.reorder_point AS "reorderPoint", p.reorder_quantity AS "reorderQuantity",
           p.lead_time_days AS "leadTimeDays", p.unit_cost::text AS "unitCost", w.warehouse_id AS "warehouseId", w.timezone,
           COALESCE((SELECT SUM(i.quantity_available) FROM inventory i JOIN location l ON l.location_id = i.location_id
                      WHERE l.warehouse_id = w.warehouse_id AND i.product_id = p.product_id), 0)::bigint AS available,
           COALESCE((SELECT SUM(b.quantity - b.quantity_allocated - b.quantity_cancelled) FROM backorder b
                      WHERE b.warehouse_id = w.warehouse_id AND b.product_id = p.product_id AND b.status = 'OPEN'), 0)::bigint AS backordered,
           EXISTS (SELECT 1 FROM purchase_order po JOIN purchase_order_line pl ON pl.po_id = po.po_id
                    WHERE po.warehouse_id = w.warehouse_id AND pl.product_id = p.product_id
                      AND po.status::text = ANY(${OPEN_PURCHASE_ORDER_STATUSES}::text[])) AS "hasOpenPurchaseOrder"
      FROM product p
      JOIN warehouse w ON EXISTS (SELECT 1 FROM inventory i JOIN location l ON l.location_id = i.location_id
                                   WHERE l.warehouse_id = w.warehouse_id AND i.product_id = p.product_id)
                       -- or a backorder waits there for a product not stocked yet (contract v2)
                       OR EXISTS (SELECT 1 FROM backorder b WHERE b.warehouse_id = w.warehouse_id AND b.product_id = p.product_id AND b.status = 'OPEN')
     WHERE p.auto_replenish
       AND (${filter.warehouseId ?? null}::int IS NULL OR w.warehouse_id = ${filter.warehouseId ?? null}::int)
       AND (${filter.productIds ?? null}::int[] IS NULL OR p.product_id = ANY(${filter.productIds ?? null}::int[]))
     ORDER BY w.warehouse_id, p.product_id`;
  return rows.map((r) => ({ ...r, available: Number(r.available), backordered: Number(r.backordered) })); // exact: far below 2^53
}

export interface ShippedOnDay {
  productId: number;
  day: string;
  shipped: number;
}

/**
 * Units shipped per product and day, days counted in the warehouse's own
 * time zone (a shipment at 23:30 UTC belongs to the next day in Berlin),
 * from SHIP ledger rows at that warehouse's locations in [from, to).
 * SHIP rows are negative (they lower on-hand), so demand is their negation.
 */
export async function loadShippedByDay(
  tx: Tx,
  warehouse: { warehouseId: number; timezone: string },
  productIds: number[],
  window: { from: string; to: string },
): Promise<ShippedOnDay[]> {
  if (productIds.length === 0) return [];
  const tz = warehouse.timezone;
  // bigint: a day's shipments of one product can pass 2^31 units over many rows (each row is an int).
  const rows = await tx.$queryRaw<(Omit<ShippedOnDay, 'shipped'> & { shipped: bigint })[]>`
    SELECT t.product_id AS "productId", to_char(t.created_at AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS day, SUM(-t.quantity)::bigint AS shipped
      FROM inventory_transaction t JOIN location l ON l.location_id = t.location_id
     WHERE t.txn_type = 'SHIP'
       AND l.warehouse_id = ${warehouse.warehouseId}
       AND t.product_id = ANY(${productIds}::int[])
       AND t.created_at >= (${window.from}::date::timestamp AT TIME ZONE ${tz})
       AND t.created_at <  (${window.to}::date::timestamp AT TIME ZONE ${tz})
     GROUP BY 1, 2`;
  return rows.map((r) => ({ ...r, shipped: Number(r.shipped) })); // exact: far below 2^53
}

/** The warehouses a daily scan visits, in id order. */
export function scanWarehouses(db: Db): Promise<{ warehouseId: number; code: string; timezone: string }[]> {
  return db.warehouse.findMany({ select: { warehouseId: true, code: true, timezone: true }, orderBy: { warehouseId: 'asc' } });
}

/** One DRAFT purchase order with its one line, as replenishment creates it. */
export interface ReplenishmentDraft {
  productId: number;
  supplierId: number;
  warehouseId: number;
  quantity: number;
  unitCost: string;
  expectedDate: string;
  trigger: ReplenishmentTrigger;
}

/**
 * Inserts a DRAFT purchase order and its line, unless an open replenishment
 * order for the product and warehouse exists already; returns its poId, or
 * null when nothing was inserted. The partial unique index
 * purchase_order_one_open_replenishment decides, not the caller's earlier
 * read: of two transactions crossing the reorder point at once, the second
 * waits for the first and then inserts nothing.
 */
export async function insertReplenishmentOrder(tx: Tx, order: ReplenishmentDraft, causationEventId: string | null): Promise<number | null> {
  const inserted = await tx.$queryRaw<{ po_id: number }[]>`
    INSERT INTO purchase_order (supplier_id, warehouse_id, status, expected_date, trigger, replenish_product_id, causation_event_id, updated_at)
    VALUES (${order.supplierId}, ${order.warehouseId}, 'DRAFT', ${order.expectedDate}::date, ${order.trigger}, ${order.productId}, ${causationEventId}::uuid, now())
    ON CONFLICT (replenish_product_id, warehouse_id)
      -- OPEN_PURCHASE_ORDER_STATUSES, spelled out: the partial index is inferred from this predicate literally.
      WHERE replenish_product_id IS NOT NULL AND status IN ('DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL')
      DO NOTHING
    RETURNING po_id`;
  const poId = inserted[0]?.po_id;
  if (poId === undefined) return null;
  await tx.purchaseOrderLine.create({ data: { poId, productId: order.productId, quantityOrdered: order.quantity, unitCost: order.unitCost } });
  // A DRAFT is not incoming yet, so this changes no figure today; recorded so that a PO created in
  // a status that counts would still publish its level (the level statement drops keys that did not change).
  recordPurchaseOrderChanges(tx, [poId]);
  return poId;
}

/** The daily scan's --apply: new reorder points, recorded for the level events (a reorder point moves a level's status). */
export async function setReorderPoints(tx: Tx, changes: readonly { productId: number; reorderPoint: number }[]): Promise<void> {
  for (const c of changes) await tx.product.update({ where: { productId: c.productId }, data: { reorderPoint: c.reorderPoint } });
  recordProductChanges(
    tx,
    changes.map((c) => c.productId),
  );
}
