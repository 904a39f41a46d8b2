import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import type { HoldStatus } from '../domain/holds';

export interface OrderReservationLine {
  productId: number;
  sku: string;
  warehouseId: number;
  locationId: number;
  location: string;
  /** Units reserved at first; reserved now = reserved - shipped - released. */
  quantity: number;
  shipped: number;
  released: number;
  status: 'OPEN' | 'FULFILLED' | 'RELEASED';
  reservedAt: Date;
  updatedAt: Date;
}

/** An order's reservation rows, by product then location; empty when the service never reserved anything for it. No locks. */
export async function readOrderReservation(db: Db | Tx, orderId: string): Promise<OrderReservationLine[]> {
  return db.$queryRaw<OrderReservationLine[]>`
    SELECT r.product_id AS "productId", p.sku, r.warehouse_id AS "warehouseId", r.location_id AS "locationId",
           concat_ws('-', l.aisle, l.bay, l.level, l.bin) AS location, r.quantity, r.quantity_shipped AS shipped,
           r.quantity_released AS released, r.status::text AS status, r.created_at AS "reservedAt", r.updated_at AS "updatedAt"
      FROM reservation r JOIN product p ON p.product_id = r.product_id JOIN location l ON l.location_id = r.location_id
     WHERE r.order_id = ${orderId}
     ORDER BY r.product_id, r.location_id`;
}

/** The order's hold, if it was placed with holdUntil. */
export interface OrderHoldView {
  holdUntil: Date;
  status: HoldStatus;
}

/** The order's backorder per product (at most one: unique per order and product). */
export interface OrderBackorderLine {
  productId: number;
  sku: string;
  warehouseId: number;
  /** The line's ordered quantity (reserved at placing + backordered). */
  lineQuantity: number;
  /** Still open: quantity - allocated - cancelled. */
  open: number;
  allocated: number;
  cancelled: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderView {
  reservation: OrderReservationLine[];
  backorders: OrderBackorderLine[];
  hold: OrderHoldView | null;
}

/**
 * Everything GET /v1/orders/{orderId} shows, in one snapshot (REPEATABLE
 * READ, read only, no row locks): a backorder filled between two separate
 * reads would show its units both backordered and reserved, or neither.
 */
export async function readOrderView(db: Db, orderId: string): Promise<OrderView> {
  return db.$transaction(
    async (tx) => {
      const reservation = await readOrderReservation(tx, orderId);
      const backorders = await tx.$queryRaw<OrderBackorderLine[]>`
        SELECT b.product_id AS "productId", p.sku, b.warehouse_id AS "warehouseId", b.line_quantity AS "lineQuantity",
               b.quantity - b.quantity_allocated - b.quantity_cancelled AS open, b.quantity_allocated AS allocated,
               b.quantity_cancelled AS cancelled, b.created_at AS "createdAt", b.updated_at AS "updatedAt"
          FROM backorder b JOIN product p ON p.product_id = b.product_id
         WHERE b.order_id = ${orderId}
         ORDER BY b.product_id`;
      const [hold] = await tx.$queryRaw<OrderHoldView[]>`
        SELECT hold_until AS "holdUntil", status::text AS status FROM reservation_hold WHERE order_id = ${orderId}`;
      return { reservation, backorders, hold: hold ?? null };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}
