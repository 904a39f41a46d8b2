import { stockCountedPayload } from '../src/contracts';
import { checkCount } from '../src/domain/stock-operations';
import { applyStockChanges, lockStockRows } from '../src/db/inventory';
import { appendLedger } from '../src/db/ledger';
import { afterAvailabilityDrop } from '../src/replenishment/trigger';
import { defineHandler } from './pipeline/handler';
import { findOperationTarget, levelAt, refuse } from './shared/operation-target';
import { fillBackordersInTransaction } from '../src/backorders/fill';

/**
 * StockCounted: a cycle count states what is physically in the bin. On-hand
 * is set to it through an ADJUST row for the difference (reference COUNT, the
 * count's eventId), so the ledger still explains every unit; a count that
 * confirms the books writes no ledger row but still stamps last_counted_at,
 * which is what count scheduling reads. A count below the reserved quantity
 * is refused: it would break reservations and most likely needs a recount.
 */
export const stockCounted = defineHandler({
  eventType: 'StockCounted',
  payload: stockCountedPayload,
  async handle(ctx, count) {
    const { tx, now } = ctx;
    const target = await findOperationTarget(tx, count, [count.locationId]);
    if (!target.ok) return refuse(ctx, target.refusal);
    const { product } = target;
    const location = target.locations.get(count.locationId)!;

    const rows = await lockStockRows(tx, [{ productId: product.productId, locationId: location.locationId }]);
    const check = checkCount(levelAt(rows, product.productId, location.locationId), count.countedQuantity);
    if (!check.ok) {
      return refuse(ctx, { productId: product.productId, sku: product.sku, locationId: location.locationId, reason: check.reason, detail: check.detail });
    }

    // Also with a zero delta: the update stamps last_counted_at (a zero count where no row exists records nothing).
    await applyStockChanges(tx, [{ productId: product.productId, locationId: location.locationId, onHandDelta: check.delta, reservedDelta: 0 }], now, {
      counted: true,
    });
    if (check.delta === 0) return 'COUNT_CONFIRMED';
    await appendLedger(
      tx,
      ctx.eventId,
      [
        {
          productId: product.productId,
          locationId: location.locationId,
          txnType: 'ADJUST',
          quantity: check.delta,
          referenceType: 'COUNT',
          referenceId: ctx.eventId,
        },
      ],
      now,
    );
    if (check.delta < 0) await afterAvailabilityDrop(ctx, location.warehouseId, [product.productId]);
    // Found stock goes to open backorders first (contract v2).
    else await fillBackordersInTransaction(ctx, [{ productId: product.productId, warehouseId: location.warehouseId }]);
    return 'COUNT_ADJUSTED';
  },
});
