import type { Tx } from '../db/types';
import type { OutboundEvent } from '../db/outbox';
import type { ReplenishmentTrigger } from '../domain/replenishment';

export interface ReplenishmentOrder {
  productId: number;
  sku: string;
  supplierId: number;
  warehouseId: number;
  quantity: number;
  unitCost: string;
  expectedDate: string;
  trigger: ReplenishmentTrigger;
}

/**
 * Creates a DRAFT purchase order for one product and warehouse, unless an open
 * replenishment order exists already. The partial unique index
 * purchase_order_one_open_replenishment decides, not the caller's earlier
 * read: of two transactions crossing the reorder point at once, the second
 * waits for the first and then inserts nothing. Returns the event to publish,
 * or null when nothing was created.
 */
export async function createReplenishmentOrder(tx: Tx, order: ReplenishmentOrder, causationEventId: string | null): Promise<OutboundEvent | null> {
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
  return {
    eventType: 'PurchaseOrderCreated',
    key: String(poId),
    // The poId keeps a second PO for the same cause apart: a daily scan rerun on the
    // same day after its first PO was cancelled has the same cause id, and an
    // equal eventId would be dropped by the outbox as a duplicate.
    discriminator: `${order.warehouseId}:${order.productId}:${poId}`,
    payload: {
      poId,
      supplierId: order.supplierId,
      warehouseId: order.warehouseId,
      status: 'DRAFT',
      expectedDate: order.expectedDate,
      trigger: order.trigger,
      lines: [{ productId: order.productId, sku: order.sku, quantity: order.quantity, unitCost: order.unitCost }],
    },
  };
}
