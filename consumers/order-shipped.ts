import { orderShippedPayload } from '../src/contracts';
import { planShipment } from '../src/domain/reservation-draw-down';
import { EventRejectedError } from '../src/errors';
import { lockOpenReservations } from '../src/db/reservations';
import { afterAvailabilityDrop } from '../src/replenishment/trigger';
import { defineHandler } from './pipeline/handler';
import { drawDownReservation } from './shared/draw-down-reservation';

/**
 * OrderShipped: units left the dock out of the order's own reservation, from
 * the locations that reservation holds. Lines ship that much and leave the rest
 * reserved; no lines ships everything still reserved. Shipping what was never
 * reserved (nothing reserved, a product not in the reservation, more than is
 * left) can never succeed and is dead-lettered with nothing changed.
 */
export const orderShipped = defineHandler({
  eventType: 'OrderShipped',
  payload: orderShippedPayload,
  async handle(ctx, shipment) {
    const { tx } = ctx;
    const { orderId } = shipment;
    // Reservation rows first, then their inventory rows: the one lock order of ship and cancel.
    const open = await lockOpenReservations(tx, orderId);
    const plan = planShipment(open, shipment.lines);
    if (!plan.ok) throw new EventRejectedError(plan.reason, `order ${orderId}: ${plan.detail}`);

    const draws = await drawDownReservation(ctx, orderId, plan.lines, 'SHIP');
    ctx.emit({
      eventType: 'StockShipped',
      key: orderId,
      payload: {
        orderId,
        shipmentId: shipment.shipmentId ?? null,
        lines: plan.lines.map((l) => ({ productId: l.productId, sku: l.sku, quantity: l.quantity, allocations: l.allocations.map((a) => ({ locationId: a.locationId, quantity: a.quantity })) })),
      },
    });
    // The rule lists SHIP among the changes that trigger replenishment.
    // Shipping out of a reservation leaves available where it was, so this only
    // acts when the product is still below its reorder point with no open PO
    // (e.g. the PO raised at reservation time was cancelled meanwhile).
    await afterAvailabilityDrop(ctx, open[0]!.warehouseId, [...new Set(draws.map((d) => d.productId))]);
    return 'SHIPPED';
  },
});
