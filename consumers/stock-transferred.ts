import { stockTransferredPayload } from '../src/contracts';
import { decideTransfer } from '../src/domain/stock-operations';
import { applyStockChanges, lockStockRows } from '../src/db/inventory';
import { lockStorageLocations } from '../src/db/locations';
import { appendLedger } from '../src/db/ledger';
import { afterAvailabilityDrop } from '../src/replenishment/trigger';
import { defineHandler } from './pipeline/handler';
import { findOperationTarget, levelAt, refuse } from './shared/operation-target';
import { fillBackordersInTransaction } from '../src/backorders/fill';

/**
 * StockTransferred: move unreserved units between two locations of one
 * warehouse, as a TRANSFER pair (out negative at from, in positive at to, both
 * referencing the transfer's eventId). Refused, nothing moved, when the
 * locations are in different warehouses, the units are reserved, or the
 * destination lacks the weight or volume to take them.
 */
export const stockTransferred = defineHandler({
  eventType: 'StockTransferred',
  payload: stockTransferredPayload,
  async handle(ctx, transfer) {
    const { tx, now } = ctx;
    const target = await findOperationTarget(tx, transfer, [transfer.fromLocationId, transfer.toLocationId]);
    if (!target.ok) return refuse(ctx, target.refusal);
    const { product } = target;
    const from = target.locations.get(transfer.fromLocationId)!;
    const destination = target.locations.get(transfer.toLocationId)!;

    // Lock order, as for put-away: the destination location (so no receipt or
    // other transfer fills it meanwhile; its usage is read after the lock),
    // then the inventory rows in (product_id, location_id) order.
    const [room] = await lockStorageLocations(tx, destination.warehouseId, [destination.locationId], [product.productId]);
    const to = { ...room!, warehouseId: destination.warehouseId };
    const rows = await lockStockRows(tx, [
      { productId: product.productId, locationId: from.locationId },
      { productId: product.productId, locationId: to.locationId },
    ]);
    const decision = decideTransfer({ product, quantity: transfer.quantity, from: { ...from, stock: levelAt(rows, product.productId, from.locationId) }, to });
    if (!decision.ok) {
      return refuse(ctx, { productId: product.productId, sku: product.sku, locationId: decision.locationId, reason: decision.reason, detail: decision.detail });
    }

    const moves = [
      { locationId: from.locationId, quantity: -transfer.quantity },
      { locationId: to.locationId, quantity: transfer.quantity },
    ];
    await applyStockChanges(
      tx,
      moves.map((m) => ({ productId: product.productId, locationId: m.locationId, onHandDelta: m.quantity, reservedDelta: 0 })),
      now,
    );
    await appendLedger(
      tx,
      ctx.eventId,
      moves.map((m) => ({ productId: product.productId, ...m, txnType: 'TRANSFER' as const, referenceType: 'TRANSFER' as const, referenceId: ctx.eventId })),
      now,
    );
    // Within one warehouse its total does not change, but the trigger is the one judge of that.
    await afterAvailabilityDrop(ctx, from.warehouseId, [product.productId]);
    // Stock moved in is offered to open backorders there (contract v2).
    await fillBackordersInTransaction(ctx, [{ productId: product.productId, warehouseId: to.warehouseId }]);
    return 'TRANSFERRED';
  },
});
