import type { Db } from './client';

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
export async function readOrderReservation(db: Db, orderId: string): Promise<OrderReservationLine[]> {
  return db.$queryRaw<OrderReservationLine[]>`
    SELECT r.product_id AS "productId", p.sku, r.warehouse_id AS "warehouseId", r.location_id AS "locationId",
           concat_ws('-', l.aisle, l.bay, l.level, l.bin) AS location, r.quantity, r.quantity_shipped AS shipped,
           r.quantity_released AS released, r.status::text AS status, r.created_at AS "reservedAt", r.updated_at AS "updatedAt"
      FROM reservation r JOIN product p ON p.product_id = r.product_id JOIN location l ON l.location_id = r.location_id
     WHERE r.order_id = ${orderId}
     ORDER BY r.product_id, r.location_id`;
}
