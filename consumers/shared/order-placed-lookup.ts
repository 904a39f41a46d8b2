import type { OrderPlaced } from '../../src/contracts';
import { chooseWarehouse, mergeOrderLines, type OrderLineToReserve } from '../../src/domain/allocation';
import { matchProductLines, resolveProductLines, type ResolvedLine } from '../../src/db/products';
import { placementReads } from '../../src/db/order-placement-reads';
import type { Tx } from '../../src/db/types';
import { existingWarehouseIds } from '../../src/db/warehouses';

/** Each order's lines, merged per product and resolved to products, with one query for all orders. */
export async function resolveOrders(tx: Tx, orders: readonly OrderPlaced[]): Promise<ResolvedLine[][]> {
  const merged = orders.map((o) => mergeOrderLines(o.lines));
  return perOrder(merged, await resolveProductLines(tx, merged.flat()));
}

/**
 * For a run of single-warehouse orders, in one round trip: the orders placed
 * before, each order's lines resolved (as resolveOrders) and the availability
 * chooseWarehouses would read.
 */
export async function readRun(tx: Tx, orders: readonly OrderPlaced[]): Promise<{ placed: Set<string>; lines: ResolvedLine[][]; available: Available }> {
  const merged = orders.map((o) => mergeOrderLines(o.lines));
  const reads = await placementReads(
    tx,
    orders.map((o) => o.orderId),
    merged.flat(),
    orders.some((o) => !o.warehouseId),
  );
  const lines = perOrder(merged, matchProductLines(merged.flat(), reads.products));
  // Only the products a line resolved to (a line whose sku contradicts its id resolves to none): the others must not bring in warehouses.
  const resolved = new Set(lines.flat().flatMap((l) => (l.product ? [l.product.productId] : [])));
  const available: Available = new Map();
  for (const [warehouseId, perProduct] of reads.available) {
    const kept = new Map([...perProduct].filter(([productId]) => resolved.has(productId)));
    if (kept.size > 0) available.set(warehouseId, kept);
  }
  return { placed: reads.placed, lines, available };
}

function perOrder(merged: readonly (readonly unknown[])[], resolved: ResolvedLine[]): ResolvedLine[][] {
  let next = 0;
  return merged.map((lines) => resolved.slice(next, (next += lines.length)));
}

/** Available units per warehouse and product; chooseWarehouses counts them down as orders of the run claim units. */
type Available = Map<number, Map<number, number>>;

/**
 * The warehouse each order is reserved in: the one it names if that exists,
 * else the contract's rule (the one warehouse that covers every line, lowest id
 * wins). Availability is read without locks (only the chosen warehouse's rows
 * are locked afterwards) and counted down as earlier orders of the run claim
 * units, so a run chooses as the same orders would one by one. null: no such
 * warehouse.
 */
export async function chooseWarehouses(
  tx: Tx,
  orders: readonly OrderPlaced[],
  lines: readonly OrderLineToReserve[][],
  /** From readRun. */
  available: Available,
): Promise<(number | null)[]> {
  const named = [...new Set(orders.flatMap((o) => (o.warehouseId ? [o.warehouseId] : [])))];
  const existing = new Set(named.length ? await existingWarehouseIds(tx, named) : []);
  if (orders.every((o) => o.warehouseId)) return orders.map((o) => (existing.has(o.warehouseId!) ? o.warehouseId! : null));

  return orders.map((order, i) => {
    // An order that names its warehouse claims units there too, before later orders choose.
    if (order.warehouseId) {
      if (!existing.has(order.warehouseId)) return null;
      countDown(available.get(order.warehouseId), lines[i]!);
      return order.warehouseId;
    }
    const choice = chooseWarehouse(lines[i]!, available);
    if (choice.ok) countDown(available.get(choice.warehouseId), lines[i]!);
    return choice.warehouseId;
  });
}

function countDown(available: Map<number, number> | undefined, lines: readonly OrderLineToReserve[]): void {
  if (!available) return;
  for (const line of lines) if (line.product) available.set(line.product.productId, (available.get(line.product.productId) ?? 0) - line.quantity);
}
