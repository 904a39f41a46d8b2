import type { BackorderAllocated } from '../contracts';
import { fillBackorders, type BackorderFill } from '../domain/backorder-fill';
import { lockBackorderQueues, lockOpenBackorders, drawFromBackorders, reserveForBackorders } from '../db/backorders';
import { lockWarehouseStock, type WarehouseProduct } from '../db/inventory';
import type { EventContext } from '../transaction-context';

/** What filling needs of the event's context: its transaction, identity, clock and outbox. */
export type BackorderFillContext = Pick<EventContext, 'tx' | 'eventId' | 'now' | 'emit'>;

/**
 * Call in the same transaction as ANY change that raises available stock of
 * a product in a warehouse (receipt, positive adjustment or count, transfer
 * in, release by cancel or expiry), after that change is written: the open
 * backorders of those (product, warehouse) keys are filled oldest first from
 * what is available now, with RESERVE ledger rows caused by ctx.eventId and
 * one BackorderAllocated per order and warehouse. So no commit leaves
 * available stock beside an open backorder. Keys of products that never
 * allowed backorders (and have none open) cost one indexed read and no lock.
 * Returns how many units were allocated.
 */
export async function fillBackordersInTransaction(ctx: BackorderFillContext, keys: readonly WarehouseProduct[]): Promise<number> {
  const unique = [...new Map(keys.map((k) => [`${k.productId}@${k.warehouseId}`, k])).values()];
  if (unique.length === 0) return 0;
  const { tx, now } = ctx;
  // Inventory rows first, then the queue lock, then the backorder rows: see src/db/backorders.ts.
  const queued = await lockBackorderQueues(
    tx,
    unique.map((k) => k.productId),
  );
  const relevant = unique.filter((k) => queued.has(k.productId));
  if (relevant.length === 0) return 0;
  const open = await lockOpenBackorders(tx, relevant);
  if (open.length === 0) return 0;
  const stock = await lockWarehouseStock(tx, relevant);

  const fills: (BackorderFill & { warehouseId: number; sku: string })[] = [];
  for (const key of relevant) {
    const queue = open.filter((b) => b.productId === key.productId && b.warehouseId === key.warehouseId);
    if (queue.length === 0) continue;
    const slots = stock.get(key.warehouseId)?.get(key.productId) ?? [];
    const sku = queue[0]!.sku;
    fills.push(...fillBackorders(queue, slots).map((f) => ({ ...f, warehouseId: key.warehouseId, sku })));
  }
  if (fills.length === 0) return 0;

  await reserveForBackorders(
    tx,
    ctx.eventId,
    fills.flatMap((f) =>
      f.allocations.map((a) => ({ orderId: f.orderId, warehouseId: f.warehouseId, productId: f.productId, locationId: a.locationId, quantity: a.quantity })),
    ),
    now,
  );
  await drawFromBackorders(
    tx,
    fills.map((f) => ({ backorderId: f.backorderId, quantity: f.quantity })),
    'ALLOCATE',
    now,
  );
  for (const event of allocatedEvents(fills)) ctx.emit(event);
  return fills.reduce((sum, f) => sum + f.quantity, 0);
}

/** One BackorderAllocated per (order, warehouse), its lines in backorder order. */
function allocatedEvents(fills: readonly (BackorderFill & { warehouseId: number; sku: string })[]) {
  const byOrder = new Map<string, BackorderAllocated>();
  for (const f of fills) {
    const key = `${f.orderId}@${f.warehouseId}`;
    const event = byOrder.get(key) ?? { orderId: f.orderId, warehouseId: f.warehouseId, lines: [] };
    event.lines.push({ productId: f.productId, sku: f.sku, quantity: f.quantity, allocations: f.allocations, stillBackordered: f.stillBackordered });
    byOrder.set(key, event);
  }
  return [...byOrder].map(([key, payload]) => ({ eventType: 'BackorderAllocated' as const, key: payload.orderId, payload, discriminator: key }));
}
