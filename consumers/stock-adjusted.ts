import { stockAdjustedPayload } from '../src/contracts';
import { adjustmentReference } from '../src/domain/stock-operations';
import { checkAdjustment } from '../src/domain/stock-operations';
import { applyStockChanges, lockStockRows } from '../src/db/inventory';
import { appendLedger } from '../src/db/ledger';
import { afterAvailabilityDrop } from '../src/replenishment/trigger';
import { defineHandler } from './pipeline/handler';
import { findOperationTarget, levelAt, refuse } from './shared/operation-target';
import { fillBackordersInTransaction } from '../src/backorders/fill';

/**
 * StockAdjusted: warehouse staff correct on-hand at one location (damage,
 * found stock, ...). Booked as one signed ADJUST ledger row whose reference is
 * the operator's reason. Refused (StockAdjustmentRejected, nothing changed)
 * when it would take on-hand below zero or below what orders have reserved.
 */
export const stockAdjusted = defineHandler({
  eventType: 'StockAdjusted',
  payload: stockAdjustedPayload,
  async handle(ctx, adjustment) {
    const { tx, now } = ctx;
    const target = await findOperationTarget(tx, adjustment, [adjustment.locationId]);
    if (!target.ok) return refuse(ctx, target.refusal);
    const { product } = target;
    const location = target.locations.get(adjustment.locationId)!;
    const delta = adjustment.quantityDelta;

    // Lock before reading: a concurrent reservation must not slip in between the check and the write.
    const rows = await lockStockRows(tx, [{ productId: product.productId, locationId: location.locationId }]);
    const check = checkAdjustment(levelAt(rows, product.productId, location.locationId), delta);
    if (!check.ok) {
      return refuse(ctx, { productId: product.productId, sku: product.sku, locationId: location.locationId, reason: check.reason, detail: check.detail });
    }

    // A positive delta where the product has no row yet creates it (applyStockChanges upserts increases).
    await applyStockChanges(tx, [{ productId: product.productId, locationId: location.locationId, onHandDelta: delta, reservedDelta: 0 }], now);
    await appendLedger(
      tx,
      ctx.eventId,
      [
        {
          productId: product.productId,
          locationId: location.locationId,
          txnType: 'ADJUST',
          quantity: delta,
          referenceType: 'ADJUSTMENT',
          referenceId: adjustmentReference(adjustment.reason, ctx.eventId),
        },
      ],
      now,
    );
    if (delta < 0) await afterAvailabilityDrop(ctx, location.warehouseId, [product.productId]);
    // Stock added goes to open backorders first (contract v2).
    else await fillBackordersInTransaction(ctx, [{ productId: product.productId, warehouseId: location.warehouseId }]);
    return delta > 0 ? 'ADJUSTED_UP' : 'ADJUSTED_DOWN';
  },
});
