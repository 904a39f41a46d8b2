import { Prisma } from '../generated/prisma/client';
import type { Tx } from './types';
import { recordStockRowChanges } from './level-changes';
import type { ReservedLine } from '../domain/allocation';
import type { OpenReservation, ReservationDraw } from '../domain/reservation-draw-down';

/**
 * The orders among these that already hold (or held) stock, or were placed
 * with contract v2 options (a wholly backordered order holds nothing yet): a
 * second OrderPlaced for one is refused.
 */
export async function ordersWithReservations(tx: Tx, orderIds: readonly string[]): Promise<Set<string>> {
  const rows = await tx.$queryRaw<{ order_id: string }[]>(placedOrdersSql(orderIds));
  return new Set(rows.map((r) => r.order_id));
}

/** The SELECT of ordersWithReservations (rows: order_id), for a caller that sends it with others (placementReads). */
export function placedOrdersSql(orderIds: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT order_id FROM reservation WHERE order_id = ANY(${[...orderIds]}::text[])
    UNION SELECT order_id FROM order_option WHERE order_id = ANY(${[...orderIds]}::text[])`;
}

export interface NewReservation {
  orderId: string;
  warehouseId: number;
  eventId: string;
  lines: readonly ReservedLine[];
}

export interface ReservedRow {
  productId: number;
  locationId: number;
  quantity: number;
}

/**
 * Writes a run of reservations in ONE statement: the reserved quantity of
 * each inventory row (merged per row: a hot SKU is one UPDATE however many
 * orders took from it), one reservation row per (order, product, location),
 * and the RESERVE ledger rows. One statement matters because the inventory
 * rows are locked until the commit: every round trip here is time other
 * orders for the same products wait. Array parameters, one per column.
 */
export async function writeReservations(tx: Tx, reservations: readonly NewReservation[], reservedByRow: readonly ReservedRow[], now: Date): Promise<void> {
  const rows = reservations.flatMap(({ orderId, warehouseId, eventId, lines }) =>
    lines.flatMap((line) =>
      line.allocations.map((a) => ({ orderId, warehouseId, eventId, productId: line.productId, locationId: a.locationId, quantity: a.quantity })),
    ),
  );
  if (rows.length === 0) return;
  recordStockRowChanges(tx, reservedByRow);
  const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
  await tx.$executeRaw`
    WITH stock AS (
      UPDATE inventory AS i
         SET quantity_reserved = i.quantity_reserved + v.quantity
        FROM unnest(${reservedByRow.map((r) => r.productId)}::int[], ${reservedByRow.map((r) => r.locationId)}::int[], ${reservedByRow.map((r) => r.quantity)}::int[])
          AS v(product_id, location_id, quantity)
       WHERE i.product_id = v.product_id AND i.location_id = v.location_id),
    held AS (
      INSERT INTO reservation (order_id, warehouse_id, product_id, location_id, quantity, event_id, created_at, updated_at)
      SELECT order_id, warehouse_id, product_id, location_id, quantity, event_id::uuid, ${now}::timestamptz, ${now}::timestamptz
        FROM unnest(${col((r) => r.orderId)}::text[], ${col((r) => r.warehouseId)}::int[], ${col((r) => r.productId)}::int[],
                    ${col((r) => r.locationId)}::int[], ${col((r) => r.quantity)}::int[], ${col((r) => r.eventId)}::text[])
          AS v(order_id, warehouse_id, product_id, location_id, quantity, event_id))
    INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_id, reference_type, performed_by, event_id, created_at)
    SELECT product_id, location_id, 'RESERVE', quantity, order_id, 'ORDER', 'inventory-service', event_id::uuid, ${now}::timestamptz
      FROM unnest(${col((r) => r.productId)}::int[], ${col((r) => r.locationId)}::int[], ${col((r) => r.quantity)}::int[],
                  ${col((r) => r.orderId)}::text[], ${col((r) => r.eventId)}::text[])
        AS v(product_id, location_id, quantity, order_id, event_id)`;
}

/** An open reservation row with the warehouse it was made in. */
export interface OrderReservation extends OpenReservation {
  warehouseId: number;
}

/**
 * Locks the order's OPEN reservation rows (lowest reservationId first) and
 * returns what each still holds. Shipping and cancelling lock these before the
 * inventory rows they point at, always in that order, so two events of one
 * order (or a replay racing the live consumer) queue instead of deadlocking,
 * and a row closed meanwhile drops out when the lock is granted.
 */
export async function lockOpenReservations(tx: Tx, orderId: string): Promise<OrderReservation[]> {
  return (await lockOpenReservationsOfOrders(tx, [orderId])).get(orderId) ?? [];
}

/**
 * Takes units out of reservation rows: shipped units count in quantity_shipped,
 * released ones in quantity_released; a row with nothing left open becomes
 * FULFILLED or RELEASED (RELEASED even if part of it shipped before). One array
 * parameter per column, as on the hot path.
 */
export async function drawFromReservations(tx: Tx, draws: readonly ReservationDraw[], how: 'SHIP' | 'RELEASE', now: Date): Promise<void> {
  if (draws.length === 0) return;
  const { counter, closed } = how === 'SHIP' ? { counter: 'quantity_shipped', closed: 'FULFILLED' } : { counter: 'quantity_released', closed: 'RELEASED' };
  const column = Prisma.raw(counter); // one of the two literals above, never input
  await tx.$executeRaw`
    UPDATE reservation AS r
       SET ${column} = r.${column} + v.quantity,
           status = CASE WHEN r.quantity_shipped + r.quantity_released + v.quantity = r.quantity THEN ${closed}::reservation_status ELSE r.status END,
           updated_at = ${now}::timestamptz
      FROM unnest(${draws.map((d) => d.reservationId)}::int[], ${draws.map((d) => d.quantity)}::int[]) AS v(reservation_id, quantity)
     WHERE r.reservation_id = v.reservation_id`;
}

/**
 * lockOpenReservations for several orders in one statement (the expiry
 * sweeper's batch): the same rows, locked in reservationId order, grouped per
 * order. Orders with nothing open are absent from the map.
 */
export async function lockOpenReservationsOfOrders(tx: Tx, orderIds: readonly string[]): Promise<Map<string, OrderReservation[]>> {
  const byOrder = new Map<string, OrderReservation[]>();
  if (orderIds.length === 0) return byOrder;
  const rows = await tx.$queryRaw<
    { order_id: string; reservation_id: number; product_id: number; sku: string; location_id: number; warehouse_id: number; open: number }[]
  >`
    SELECT r.order_id, r.reservation_id, r.product_id, p.sku, r.location_id, r.warehouse_id,
           r.quantity - r.quantity_shipped - r.quantity_released AS open
      FROM reservation r JOIN product p ON p.product_id = r.product_id
     WHERE r.order_id = ANY(${[...orderIds]}::text[]) AND r.status = 'OPEN'
     ORDER BY r.reservation_id
       FOR UPDATE OF r`;
  for (const r of rows) {
    const list = byOrder.get(r.order_id) ?? [];
    list.push({
      reservationId: r.reservation_id,
      productId: r.product_id,
      sku: r.sku,
      locationId: r.location_id,
      warehouseId: r.warehouse_id,
      openQuantity: r.open,
    });
    byOrder.set(r.order_id, list);
  }
  return byOrder;
}
