import { orderShippedPayload } from '../src/contracts';
import { planShipment } from '../src/domain/reservation-draw-down';
import { EventRejectedError } from '../src/errors';
import { lockOpenReservations } from '../src/db/reservations';
import { orderOptions } from '../src/db/backorders';
import { endHolds, lockHold } from '../src/db/holds';
import { decideShipmentHold } from '../src/domain/holds';
import { afterAvailabilityDrop } from '../src/replenishment/trigger';
import { defineHandler } from './pipeline/handler';
import { drawDownReservation } from '../src/db/draw-down-reservation';

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
    // The hold row (if any), then reservation rows, then their inventory rows: the one lock
    // order of ship, cancel, confirm and the expiry sweeper.
    const hold = decideShipmentHold(await lockHold(tx, orderId));
    if (hold.refused) throw new EventRejectedError(hold.code, hold.detail);
    const open = await lockOpenReservations(tx, orderId);
    const plan = planShipment(open, shipment.lines);
    if (!plan.ok) throw new EventRejectedError(plan.reason, `order ${orderId}: ${plan.detail}`);

    const draws = await drawDownReservation(ctx, orderId, plan.lines, 'SHIP');
    if (hold.endHold) await endHolds(tx, [orderId], 'SHIPPED', ctx.now);
    // Contract v2 orders (split, backorder) name each allocation's warehouse; v1 orders keep the v1 shape.
    const warehouseOf = new Map(open.map((r) => [r.locationId, r.warehouseId]));
    const sourced = (await orderOptions(tx, orderId)) !== null;
    ctx.emit({
      eventType: 'StockShipped',
      key: orderId,
      payload: {
        orderId,
        shipmentId: shipment.shipmentId ?? null,
        lines: plan.lines.map((l) => ({
          productId: l.productId,
          sku: l.sku,
          quantity: l.quantity,
          allocations: l.allocations.map((a) => ({
            ...(sourced ? { warehouseId: warehouseOf.get(a.locationId)! } : {}),
            locationId: a.locationId,
            quantity: a.quantity,
          })),
        })),
      },
    });
    // The rule lists SHIP among the changes that trigger replenishment.
    // Shipping out of a reservation leaves available where it was, so this only
    // acts when the product is still below its reorder point with no open PO
    // (e.g. the PO raised at reservation time was cancelled meanwhile).
    // Per warehouse: a split order ships from several.
    for (const warehouseId of [...new Set(draws.map((d) => warehouseOf.get(d.locationId)!))].sort((a, b) => a - b)) {
      await afterAvailabilityDrop(ctx, warehouseId, [...new Set(draws.filter((d) => warehouseOf.get(d.locationId) === warehouseId).map((d) => d.productId))]);
    }
    return 'SHIPPED';
  },
});
