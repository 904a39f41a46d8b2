import type { OrderPlaced } from '../../src/contracts';
import { planSourcing, warehousesOf, type SourcedLine } from '../../src/domain/sourcing';
import { EventRejectedError } from '../../src/errors';
import { allWarehouseIds, lockBackorderQueues, recordOrderOptions, writeBackorders } from '../../src/db/backorders';
import { lockWarehouseStock } from '../../src/db/inventory';
import { existingWarehouseIds } from '../../src/db/warehouses';
import { recordHolds } from '../../src/db/holds';
import { ordersWithReservations, writeReservations, type NewReservation, type ReservedRow } from '../../src/db/reservations';
import { afterAvailabilityDrop } from '../../src/replenishment/trigger';
import type { EventContext } from '../../src/transaction-context';
import type { Tx } from '../../src/db/types';
import { resolveOrders } from './order-placed-lookup';

/** An OrderPlaced that uses contract v2's sourcing or backorder options (v1 orders keep the batched path). */
export function usesSourcingOptions(order: OrderPlaced): boolean {
  return order.sourcing !== undefined || order.backorder !== undefined;
}

/**
 * A run that mixes v1 and v2 orders is applied in several lock statements (a
 * batch of v1 orders, a v2 order, ...). Two such transactions would take
 * their rows in different orders and could deadlock. So the run first locks,
 * in ONE statement and the one global (product_id, location_id) order, every
 * inventory row of its products in every warehouse, then the backorder queue
 * locks of the products it may backorder (sorted): the later statements only
 * take rows already held (or rows created since, which nobody else holds).
 */
export async function lockMixedRun(tx: Tx, orders: readonly OrderPlaced[]): Promise<void> {
  const resolved = await resolveOrders(tx, orders);
  const productIds = [...new Set(resolved.flat().flatMap((l) => (l.product ? [l.product.productId] : [])))];
  const warehouses = await allWarehouseIds(tx);
  await lockWarehouseStock(
    tx,
    warehouses.flatMap((warehouseId) => productIds.map((productId) => ({ warehouseId, productId }))),
  );
  const mayBackorder = resolved.flatMap((lines, i) =>
    orders[i]!.backorder === 'ALLOW' ? lines.flatMap((l) => (l.product?.allowBackorder ? [l.product.productId] : [])) : [],
  );
  await lockBackorderQueues(tx, mayBackorder);
}

/**
 * OrderPlaced with `sourcing` or `backorder` (contract v2), one order at a
 * time: split over several warehouses and backorders need the stock of every
 * candidate warehouse locked, which the batched v1 path does not do. All or
 * nothing over the whole order; the decision is planSourcing's, on locked rows.
 * Its events carry the v2 fields (warehouseIds, backordered, per-allocation
 * warehouseId), and so do the order's later events (order_option remembers).
 */
export async function reserveSourcedOrder(ctx: EventContext, order: OrderPlaced): Promise<string | EventRejectedError> {
  const { tx, now } = ctx;
  const { orderId } = order;
  if ((await ordersWithReservations(tx, [orderId])).size > 0)
    return new EventRejectedError('ORDER_ALREADY_PLACED', `order ${orderId} already has reservations`);
  const warehouses = order.warehouseId ? await existingWarehouseIds(tx, [order.warehouseId]) : await allWarehouseIds(tx);
  if (warehouses.length === 0)
    return new EventRejectedError('UNKNOWN_WAREHOUSE', order.warehouseId ? `warehouse ${order.warehouseId} does not exist` : 'no warehouse exists');

  const [lines] = await resolveOrders(tx, [order]);
  const productIds = [...new Set(lines!.flatMap((l) => (l.product ? [l.product.productId] : [])))];
  // One statement, rows in (product_id, location_id) order across every warehouse: two split orders never deadlock.
  const pairs = warehouses.flatMap((warehouseId) => productIds.map((productId) => ({ warehouseId, productId })));
  let stock = await lockWarehouseStock(tx, pairs);
  const mayBackorder = order.backorder === 'ALLOW' ? lines!.flatMap((l) => (l.product?.allowBackorder ? [l.product.productId] : [])) : [];
  if (mayBackorder.length > 0) {
    // The queue lock, then a fresh read: stock that a receipt committed into a
    // new inventory row meanwhile is seen (src/db/backorders.ts).
    await lockBackorderQueues(tx, mayBackorder);
    stock = await lockWarehouseStock(tx, pairs);
  }

  const plan = planSourcing(lines!, stock, warehouses, {
    warehouseId: order.warehouseId,
    split: order.sourcing === 'SPLIT',
    backorder: order.backorder === 'ALLOW',
  });
  if (!plan.ok) {
    ctx.emit({ eventType: 'InsufficientStock', key: orderId, payload: { orderId, warehouseId: plan.warehouseId, lines: plan.shortLines } });
    return 'INSUFFICIENT_STOCK';
  }

  await writeReservations(tx, reservationsOf(ctx.eventId, orderId, plan.lines), reservedRows(plan.lines), now);
  await writeBackorders(
    tx,
    ctx.eventId,
    plan.lines
      .filter((l) => l.backordered > 0)
      .map((l) => ({ orderId, warehouseId: plan.backorderWarehouseId!, productId: l.productId, lineQuantity: l.quantity, quantity: l.backordered })),
    now,
  );
  await recordOrderOptions(tx, orderId, ctx.eventId, { sourcing: order.sourcing ?? null, backorder: order.backorder ?? null }, now);
  // v2: a sourced order may be a hold too (milliseconds, UTC: what the database keeps).
  const holdUntil = order.holdUntil === undefined ? null : new Date(order.holdUntil);
  if (holdUntil) await recordHolds(tx, [{ orderId, holdUntil, eventId: ctx.eventId, correlationId: ctx.correlationId }], now);
  ctx.emit({
    eventType: 'StockReserved',
    key: orderId,
    payload: {
      orderId,
      ...warehousesOf(plan.lines, plan.backorderWarehouseId),
      lines: plan.lines,
      ...(holdUntil ? { holdUntil: holdUntil.toISOString() } : {}),
    },
  });

  // Reserving and backordering both lower what is free to promise (available - backordered).
  const touched = new Map<number, Set<number>>();
  for (const l of plan.lines) {
    for (const w of [...l.allocations.map((a) => a.warehouseId), ...(l.backordered > 0 ? [plan.backorderWarehouseId!] : [])])
      touched.set(w, (touched.get(w) ?? new Set()).add(l.productId));
  }
  for (const [warehouseId, ids] of [...touched].sort(([a], [b]) => a - b)) await afterAvailabilityDrop(ctx, warehouseId, [...ids]);
  return 'RESERVED';
}

/**
 * One reservation per allocation, in allocation order: reservation rows are
 * created in that order, and shipping draws on them lowest id first, so a
 * split order ships from its first warehouse first, pick faces first.
 */
function reservationsOf(eventId: string, orderId: string, lines: readonly SourcedLine[]): NewReservation[] {
  return lines.flatMap((line) =>
    line.allocations.map((a) => ({
      orderId,
      warehouseId: a.warehouseId,
      eventId,
      lines: [{ productId: line.productId, sku: line.sku, quantity: a.quantity, allocations: [{ locationId: a.locationId, quantity: a.quantity }] }],
    })),
  );
}

function reservedRows(lines: readonly SourcedLine[]): ReservedRow[] {
  return lines.flatMap((l) => l.allocations.map((a) => ({ productId: l.productId, locationId: a.locationId, quantity: a.quantity })));
}
