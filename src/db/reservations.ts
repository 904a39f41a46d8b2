import type { Tx } from './types';
import type { ReservedLine } from '../domain/allocation';

/** Whether the order already holds (or held) stock: a second OrderPlaced for it is refused. */
export async function orderHasReservations(tx: Tx, orderId: string): Promise<boolean> {
  return (await tx.reservation.count({ where: { orderId } })) > 0;
}

export async function createReservations(tx: Tx, orderId: string, warehouseId: number, eventId: string, lines: readonly ReservedLine[], now: Date): Promise<void> {
  await tx.reservation.createMany({
    data: lines.flatMap((line) =>
      line.allocations.map((a) => ({ orderId, warehouseId, productId: line.productId, locationId: a.locationId, quantity: a.quantity, eventId, createdAt: now, updatedAt: now })),
    ),
  });
}
