import type { Tx } from '../db/types';
import type { OutboundEvent } from '../db/outbox';
import { insertReplenishmentOrder, type ReplenishmentDraft } from '../db/replenishment';

export interface ReplenishmentOrder extends ReplenishmentDraft {
  sku: string;
}

/**
 * Creates a DRAFT purchase order for one product and warehouse, unless an open
 * replenishment order exists already (the partial unique index decides, see
 * insertReplenishmentOrder). Returns the event to publish, or null when
 * nothing was created.
 */
export async function createReplenishmentOrder(tx: Tx, order: ReplenishmentOrder, causationEventId: string | null): Promise<OutboundEvent | null> {
  const poId = await insertReplenishmentOrder(tx, order, causationEventId);
  if (poId === null) return null;
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
