import { orderCancelledPayload } from '../src/contracts';
import { planRelease } from '../src/domain/reservation-draw-down';
import { lockOpenReservations } from '../src/db/reservations';
import { endHolds, lockHold } from '../src/db/holds';
import { endsHoldOnCancel } from '../src/domain/holds';
import { defineHandler } from './pipeline/handler';
import { drawDownReservation } from '../src/db/draw-down-reservation';
import { fillBackordersInTransaction } from '../src/backorders/fill';
import { cancelOrderBackorders, releasedLines } from '../src/backorders/cancel';

/**
 * OrderCancelled: whatever is still reserved goes back to available (and to
 * other orders' open backorders first); what already shipped stays shipped;
 * open backorders of the order are cancelled. Releasing only raises
 * availability, so no replenishment check follows.
 */
export const orderCancelled = defineHandler({
  eventType: 'OrderCancelled',
  payload: orderCancelledPayload,
  async handle(ctx, cancellation) {
    const { tx } = ctx;
    const { orderId } = cancellation;
    // The hold row (if any), then reservation rows, then their inventory rows: the one lock
    // order of ship, cancel, confirm and the expiry sweeper.
    const hold = await lockHold(tx, orderId);
    const open = await lockOpenReservations(tx, orderId);
    const { lines } = planRelease(open);
    if (endsHoldOnCancel(hold)) await endHolds(tx, [orderId], 'CANCELLED', ctx.now);
    // Contract v2: the order's open backorders are cancelled too, before the release refills anyone.
    const backorders = await cancelOrderBackorders(ctx, orderId);
    if (lines.length === 0 && !backorders?.cancelled.size) {
      // Fully shipped, cancelled before, or never reserved (e.g. it got InsufficientStock).
      // Not an error, and nothing is published: StockReleased says that units went
      // back to available, and here none did. The order service already learnt the
      // order's state from the earlier StockShipped / StockReleased / InsufficientStock,
      // and a second cancel would otherwise mint an empty event per retry of the sender.
      return 'NOTHING_TO_RELEASE';
    }

    const draws = await drawDownReservation(ctx, orderId, lines, 'RELEASE');
    // v1 orders keep the v1 payload; each v2 field appears with the feature it describes: a held order hears why it was released.
    ctx.emit({
      eventType: 'StockReleased',
      key: orderId,
      payload: { orderId, lines: releasedLines(lines, backorders), ...(hold ? { reason: 'CANCELLED' as const } : {}) },
    });
    // The released units go to other orders' open backorders first (contract v2).
    const warehouseOf = new Map(open.map((r) => [r.locationId, r.warehouseId]));
    await fillBackordersInTransaction(
      ctx,
      draws.map((d) => ({ productId: d.productId, warehouseId: warehouseOf.get(d.locationId)! })),
    );
    ctx.log.info({ orderId, reason: cancellation.reason }, 'order cancelled; reservation released');
    return 'RELEASED';
  },
});
