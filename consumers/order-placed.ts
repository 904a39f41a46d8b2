import { orderPlacedPayload } from '../src/contracts';
import { allocateReservation, chooseWarehouse, mergeOrderLines } from '../src/domain/allocation';
import { EventRejectedError } from '../src/errors';
import { resolveProductLines } from '../src/db/products';
import { applyStockChanges, availableByWarehouse, lockWarehouseStock } from '../src/db/inventory';
import { appendLedger } from '../src/db/ledger';
import { createReservations, orderHasReservations } from '../src/db/reservations';
import { afterAvailabilityDrop } from '../src/replenishment/trigger';
import { defineHandler } from './handler';

/**
 * OrderPlaced: reserve every line in one warehouse, or none. The order's
 * inventory rows are locked before the decision, so two instances can never
 * promise the same units.
 */
export const orderPlaced = defineHandler({
  eventType: 'OrderPlaced',
  payload: orderPlacedPayload,
  async handle(ctx, order) {
    const { tx, now } = ctx;
    if (await orderHasReservations(tx, order.orderId)) {
      throw new EventRejectedError('ORDER_ALREADY_PLACED', `order ${order.orderId} already has reservations`);
    }
    const lines = await resolveProductLines(tx, mergeOrderLines(order.lines));
    const productIds = [...new Set(lines.flatMap((l) => (l.product ? [l.product.productId] : [])))];
    const warehouseId = order.warehouseId ?? chooseWarehouse(lines, await availableByWarehouse(tx, productIds)).warehouseId;
    if (warehouseId === null || !(await tx.warehouse.findUnique({ where: { warehouseId }, select: { warehouseId: true } }))) {
      throw new EventRejectedError('UNKNOWN_WAREHOUSE', order.warehouseId ? `warehouse ${order.warehouseId} does not exist` : 'no warehouse exists');
    }

    const stock = await lockWarehouseStock(tx, warehouseId, productIds);
    const allocation = allocateReservation(lines, stock);
    if (!allocation.ok) {
      ctx.emit({ eventType: 'InsufficientStock', key: order.orderId, payload: { orderId: order.orderId, warehouseId, lines: allocation.shortLines } });
      return 'INSUFFICIENT_STOCK';
    }

    const allocations = allocation.lines.flatMap((line) => line.allocations.map((a) => ({ productId: line.productId, ...a })));
    await applyStockChanges(tx, allocations.map((a) => ({ productId: a.productId, locationId: a.locationId, onHandDelta: 0, reservedDelta: a.quantity })), now);
    await createReservations(tx, order.orderId, warehouseId, ctx.eventId, allocation.lines, now);
    await appendLedger(tx, ctx.eventId, allocations.map((a) => ({ ...a, txnType: 'RESERVE', referenceType: 'ORDER', referenceId: order.orderId })), now);
    ctx.emit({ eventType: 'StockReserved', key: order.orderId, payload: { orderId: order.orderId, warehouseId, lines: allocation.lines } });
    await afterAvailabilityDrop(ctx, warehouseId, productIds);
    return 'RESERVED';
  },
});
