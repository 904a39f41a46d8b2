import type { Db } from '../db/client';

/**
 * Contract v2's backorder invariants, checked on one snapshot: a backorder
 * never negative and never more than its line ordered (CHECKs forbid both;
 * checked anyway, a constraint can be dropped), and no open backorder of a
 * product in a warehouse where that product has stock available.
 */
export type BackorderCheck = 'BACKORDER_NEGATIVE' | 'BACKORDER_EXCEEDS_ORDERED' | 'BACKORDER_BESIDE_AVAILABLE';

export interface BackorderViolation {
  check: BackorderCheck;
  orderId: string;
  productId: number;
  sku: string;
  warehouse: string;
  detail: string;
}

interface Row {
  order_id: string;
  product_id: number;
  sku: string;
  warehouse: string;
  line_quantity: number;
  quantity: number;
  allocated: number;
  cancelled: number;
  open: number;
  status: string;
  available: bigint;
}

export async function checkBackorders(db: Db): Promise<BackorderViolation[]> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT b.order_id, b.product_id, p.sku, w.code AS warehouse, b.line_quantity, b.quantity,
           b.quantity_allocated AS allocated, b.quantity_cancelled AS cancelled,
           b.quantity - b.quantity_allocated - b.quantity_cancelled AS open, b.status::text AS status,
           COALESCE((SELECT SUM(i.quantity_available) FROM inventory i JOIN location l ON l.location_id = i.location_id
                      WHERE l.warehouse_id = b.warehouse_id AND i.product_id = b.product_id), 0)::bigint AS available
      FROM backorder b JOIN product p ON p.product_id = b.product_id JOIN warehouse w ON w.warehouse_id = b.warehouse_id
     WHERE b.status = 'OPEN' OR b.quantity < 0 OR b.quantity_allocated < 0 OR b.quantity_cancelled < 0
        OR b.quantity > b.line_quantity OR b.quantity_allocated + b.quantity_cancelled > b.quantity
     ORDER BY b.backorder_id`;
  const violations: BackorderViolation[] = [];
  for (const r of rows) {
    const of = { orderId: r.order_id, productId: r.product_id, sku: r.sku, warehouse: r.warehouse };
    const negatives = [['backordered', r.quantity], ['allocated', r.allocated], ['cancelled', r.cancelled], ['open', r.open]].filter(([, v]) => (v as number) < 0);
    if (negatives.length) violations.push({ ...of, check: 'BACKORDER_NEGATIVE', detail: negatives.map(([k, v]) => `${k} ${v}`).join(', ') });
    if (r.quantity > r.line_quantity) violations.push({ ...of, check: 'BACKORDER_EXCEEDS_ORDERED', detail: `backordered ${r.quantity} > ordered ${r.line_quantity}` });
    if (r.status === 'OPEN' && r.open > 0 && r.available > 0n) {
      violations.push({ ...of, check: 'BACKORDER_BESIDE_AVAILABLE', detail: `${r.open} backordered while ${r.available} available in ${r.warehouse}` });
    }
  }
  return violations;
}
