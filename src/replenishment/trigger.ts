import { decideReorderPointReplenishment, expectedDate } from '../domain/replenishment';
import type { EventContext } from '../transaction-context';
import { loadReplenishmentCandidates } from '../db/replenishment';
import { createReplenishmentOrder } from './purchase-orders';

/**
 * Runs in the same transaction as every change that lowers what is available
 * (reserve, ship, negative adjustment or count, transfer out): a product that
 * has just dropped below its reorder point gets one DRAFT purchase order.
 * The rows the change touched are locked already, so the available figure read
 * here is the one this transaction commits.
 */
export async function afterAvailabilityDrop(
  ctx: Pick<EventContext, 'tx' | 'eventId' | 'now' | 'log' | 'emit'>,
  warehouseId: number,
  productIds: readonly number[],
): Promise<void> {
  if (productIds.length === 0) return;
  const candidates = await loadReplenishmentCandidates(ctx.tx, { warehouseId, productIds: [...productIds] });
  for (const candidate of candidates) {
    const decision = decideReorderPointReplenishment({
      product: candidate,
      availableInWarehouse: candidate.available,
      backorderedInWarehouse: candidate.backordered,
      hasOpenPurchaseOrder: candidate.hasOpenPurchaseOrder,
    });
    if (!decision.create) {
      if (decision.why === 'NO_SUPPLIER') ctx.log.warn({ productId: candidate.productId, warehouseId }, 'below reorder point but the product has no supplier');
      continue;
    }
    const created = await createReplenishmentOrder(
      ctx.tx,
      {
        productId: candidate.productId,
        sku: candidate.sku,
        supplierId: decision.supplierId,
        warehouseId,
        quantity: decision.quantity,
        unitCost: decision.unitCost,
        expectedDate: expectedDate(ctx.now, candidate.timezone, candidate.leadTimeDays),
        trigger: 'REORDER_POINT',
      },
      ctx.eventId,
    );
    if (created) ctx.emit(created);
  }
}
