import { orderPlacedPayload, type OrderPlaced } from '../src/contracts';
import { allocateReservation } from '../src/domain/allocation';
import { EventRejectedError } from '../src/errors';
import { lockWarehouseStock } from '../src/db/inventory';
import { recordHolds, type NewHold } from '../src/db/holds';
import { afterAvailabilityDrop } from '../src/replenishment/trigger';
import { defineHandler, type HandlerInput } from './pipeline/handler';
import { chooseWarehouses, readRun } from './shared/order-placed-lookup';
import { ReservationBatch } from './shared/reservation-batch';
import { lockMixedRun, reserveSourcedOrder, usesSourcingOptions } from './shared/order-placed-sourced';

/**
 * OrderPlaced: reserve every line in one warehouse, or none. The orders'
 * inventory rows are locked before any decision, so two instances can never
 * promise the same units. A run of consecutive OrderPlaced events from one
 * partition is reserved together: the same decisions, in the same order, as
 * one by one, but with one lock statement and one write per table for the run.
 */
export const orderPlaced = defineHandler({
  eventType: 'OrderPlaced',
  payload: orderPlacedPayload,
  async handle(ctx, payload) {
    const [outcome] = await reserveOrders([{ ctx, payload }]);
    if (outcome instanceof EventRejectedError) throw outcome;
    return outcome!;
  },
  handleMany: reserveOrders,
});

/**
 * A run in offset order: consecutive v1 orders are reserved together; an
 * order with contract v2 options (sourcing, backorder) goes alone, between
 * them, so every order still sees what the ones before it took.
 */
async function reserveOrders(orders: readonly HandlerInput<OrderPlaced>[]): Promise<(string | EventRejectedError)[]> {
  const outcomes: (string | EventRejectedError)[] = [];
  if (orders.length > 1 && orders.some((o) => usesSourcingOptions(o.payload)))
    await lockMixedRun(
      orders[0]!.ctx.tx,
      orders.map((o) => o.payload),
    );
  for (let start = 0; start < orders.length;) {
    const first = orders[start]!;
    if (usesSourcingOptions(first.payload)) {
      outcomes.push(await reserveSourcedOrder(first.ctx, first.payload));
      start++;
      continue;
    }
    let end = start;
    while (end < orders.length && !usesSourcingOptions(orders[end]!.payload)) end++;
    outcomes.push(...(await reserveSingleWarehouseOrders(orders.slice(start, end))));
    start = end;
  }
  return outcomes;
}

async function reserveSingleWarehouseOrders(orders: readonly HandlerInput<OrderPlaced>[]): Promise<(string | EventRejectedError)[]> {
  const { tx, now } = orders[0]!.ctx;
  // Orders placed before, the lines' products and availability per warehouse: one round trip before the locks.
  const run = await readRun(
    tx,
    orders.map((o) => o.payload),
  );
  const alreadyPlaced = run.placed;
  const resolved = run.lines;
  const warehouses = await chooseWarehouses(
    tx,
    orders.map((o) => o.payload),
    resolved,
    run.available,
  );
  const pairs = resolved.flatMap((lines, i) =>
    lines.flatMap((l) => (l.product && warehouses[i] ? [{ warehouseId: warehouses[i]!, productId: l.product.productId }] : [])),
  );
  const stock = await lockWarehouseStock(tx, pairs);

  const writes = new ReservationBatch();
  const holds: NewHold[] = [];
  const outcomes = orders.map(({ ctx, payload: order }, i): string | EventRejectedError => {
    if (alreadyPlaced.has(order.orderId)) return new EventRejectedError('ORDER_ALREADY_PLACED', `order ${order.orderId} already has reservations`);
    const warehouseId = warehouses[i];
    if (!warehouseId)
      return new EventRejectedError('UNKNOWN_WAREHOUSE', order.warehouseId ? `warehouse ${order.warehouseId} does not exist` : 'no warehouse exists');
    const allocation = allocateReservation(resolved[i]!, stock.get(warehouseId) ?? new Map());
    if (!allocation.ok) {
      ctx.emit({ eventType: 'InsufficientStock', key: order.orderId, payload: { orderId: order.orderId, warehouseId, lines: allocation.shortLines } });
      return 'INSUFFICIENT_STOCK';
    }
    // Later orders of the run must see these units as taken.
    writes.reserve(ctx, order.orderId, warehouseId, allocation.lines, stock.get(warehouseId)!);
    alreadyPlaced.add(order.orderId);
    // v2: a hold reserves the same; it only records the deadline (milliseconds, UTC: what the database keeps).
    const holdUntil = order.holdUntil === undefined ? null : new Date(order.holdUntil);
    if (holdUntil) holds.push({ orderId: order.orderId, holdUntil, eventId: ctx.eventId, correlationId: ctx.correlationId });
    // v1 orders keep the v1 payload; each v2 field appears with the feature it describes (docs/decisions.md).
    ctx.emit({
      eventType: 'StockReserved',
      key: order.orderId,
      payload: { orderId: order.orderId, warehouseId, lines: allocation.lines, ...(holdUntil ? { holdUntil: holdUntil.toISOString() } : {}) },
    });
    return 'RESERVED';
  });

  await writes.flush(tx, now);
  await recordHolds(tx, holds, now);
  const products = new Map(resolved.flat().flatMap((l) => (l.product ? [[l.product.productId, l.product] as const] : [])));
  for (const { ctx, warehouseId, productIds } of writes.replenishmentChecks(products)) await afterAvailabilityDrop(ctx, warehouseId, productIds);
  return outcomes;
}
