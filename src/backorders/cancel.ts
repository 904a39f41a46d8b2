import type { StockReleased } from '../contracts';
import type { ReservationLine } from '../domain/reservation-draw-down';
import { drawFromBackorders, lockOrderBackorders, orderOptions } from '../db/backorders';
import type { EventContext } from '../transaction-context';

/** What cancelling an order did to its backorders: per product, the units cancelled (0 for a v2 order's lines that had none). */
export interface CancelledBackorders {
  sku: Map<number, string>;
  cancelled: Map<number, number>;
}

/**
 * Cancels the order's open backorders (locked first): on OrderCancelled, and
 * on the expiry of a hold (the order is gone either way). Call it BEFORE the
 * release and fillBackordersInTransaction, so the order's released units go
 * to other orders, not back to itself. null for a v1 order,
 * whose StockReleased keeps the v1 shape. A v2 order with none open gets an
 * empty result, so its lines still say backorderCancelled: 0.
 */
export async function cancelOrderBackorders(ctx: Pick<EventContext, 'tx' | 'now'>, orderId: string): Promise<CancelledBackorders | null> {
  const { tx, now } = ctx;
  if (!(await orderOptions(tx, orderId))) return null;
  const open = await lockOrderBackorders(tx, orderId);
  await drawFromBackorders(
    tx,
    open.map((b) => ({ backorderId: b.backorderId, quantity: b.openQuantity })),
    'CANCEL',
    now,
  );
  const result: CancelledBackorders = { sku: new Map(), cancelled: new Map() };
  for (const b of open) {
    result.sku.set(b.productId, b.sku);
    result.cancelled.set(b.productId, (result.cancelled.get(b.productId) ?? 0) + b.openQuantity);
  }
  return result;
}

/** StockReleased lines: released units per product, and for a v2 order the backordered units cancelled beside them. */
export function releasedLines(released: readonly ReservationLine[], backorders: CancelledBackorders | null): StockReleased['lines'] {
  const lines: StockReleased['lines'] = released.map((l) => ({ productId: l.productId, sku: l.sku, quantity: l.quantity }));
  if (!backorders) return lines;
  for (const line of lines) line.backorderCancelled = backorders.cancelled.get(line.productId) ?? 0;
  for (const [productId, cancelled] of backorders.cancelled) {
    if (!lines.some((l) => l.productId === productId))
      lines.push({ productId, sku: backorders.sku.get(productId)!, quantity: 0, backorderCancelled: cancelled });
  }
  return lines;
}
