import type { Tx } from '../db/types';
import type { ReplenishableProduct } from '../domain/replenishment';
import { OPEN_PURCHASE_ORDER_STATUSES } from '../domain/purchase-order-status';

/** What a replenishment decision needs about one product in one warehouse. */
export interface ReplenishmentCandidate extends ReplenishableProduct {
  productId: number;
  sku: string;
  warehouseId: number;
  timezone: string;
  available: number;
  hasOpenPurchaseOrder: boolean;
}

/**
 * Reads products with auto-replenishment on, in the warehouses that stock them
 * (hold an inventory row, even at zero), with
 * their available quantity there and whether an open purchase order (any PO
 * with a line for the product: replenishment or imported) already covers them.
 */
export async function loadReplenishmentCandidates(tx: Tx, filter: { warehouseId?: number; productIds?: number[] }): Promise<ReplenishmentCandidate[]> {
  const rows = await tx.$queryRaw<(Omit<ReplenishmentCandidate, 'available'> & { available: number })[]>`
    SELECT p.product_id AS "productId", p.sku, p.supplier_id AS "supplierId", p.is_active AS "isActive",
           p.auto_replenish AS "autoReplenish", p.reorder_point AS "reorderPoint", p.reorder_quantity AS "reorderQuantity",
           p.lead_time_days AS "leadTimeDays", p.unit_cost::text AS "unitCost", w.warehouse_id AS "warehouseId", w.timezone,
           COALESCE((SELECT SUM(i.quantity_available) FROM inventory i JOIN location l ON l.location_id = i.location_id
                      WHERE l.warehouse_id = w.warehouse_id AND i.product_id = p.product_id), 0)::int AS available,
           EXISTS (SELECT 1 FROM purchase_order po JOIN purchase_order_line pl ON pl.po_id = po.po_id
                    WHERE po.warehouse_id = w.warehouse_id AND pl.product_id = p.product_id
                      AND po.status::text = ANY(${OPEN_PURCHASE_ORDER_STATUSES}::text[])) AS "hasOpenPurchaseOrder"
      FROM product p
      JOIN warehouse w ON EXISTS (SELECT 1 FROM inventory i JOIN location l ON l.location_id = i.location_id
                                   WHERE l.warehouse_id = w.warehouse_id AND i.product_id = p.product_id)
     WHERE p.auto_replenish
       AND (${filter.warehouseId ?? null}::int IS NULL OR w.warehouse_id = ${filter.warehouseId ?? null}::int)
       AND (${filter.productIds ?? null}::int[] IS NULL OR p.product_id = ANY(${filter.productIds ?? null}::int[]))
     ORDER BY w.warehouse_id, p.product_id`;
  return rows;
}
