import { orderCancelledPayload } from '../src/contracts';
import { planRelease } from '../src/domain/reservation-draw-down';
import { lockOpenReservations } from '../src/db/reservations';
import { defineHandler } from './pipeline/handler';
import { drawDownReservation } from './shared/draw-down-reservation';

/**
 * OrderCancelled: whatever is still reserved goes back to available; what
 * already shipped stays shipped. Releasing only raises availability, so no
 * replenishment check follows.
 */
export const orderCancelled = defineHandler({
  eventType: 'OrderCancelled',
  payload: orderCancelledPayload,
  async handle(ctx, cancellation) {
    const { tx } = ctx;
    const { orderId } = cancellation;
    // Reservation rows first, then their inventory rows: the one lock order of ship and cancel.
    const { lines } = planRelease(await lockOpenReservations(tx, orderId));
    if (lines.length === 0) {
      // Fully shipped, cancelled before, or never reserved (e.g. it got InsufficientStock).
      // Not an error, and nothing is published: StockReleased says that units went
      // back to available, and here none did. The order service already learnt the
      // order's state from the earlier StockShipped / StockReleased / InsufficientStock,
      // and a second cancel would otherwise mint an empty event per retry of the sender.
      return 'NOTHING_TO_RELEASE';
    }

    await drawDownReservation(ctx, orderId, lines, 'RELEASE');
    ctx.emit({ eventType: 'StockReleased', key: orderId, payload: { orderId, lines: lines.map((l) => ({ productId: l.productId, sku: l.sku, quantity: l.quantity })) } });
    ctx.log.info({ orderId, reason: cancellation.reason }, 'order cancelled; reservation released');
    return 'RELEASED';
  },
});
