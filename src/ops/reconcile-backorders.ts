import type { Db } from '../db/client';
import { backorderReconciliationRows } from '../db/reconcile';

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

export async function checkBackorders(db: Db): Promise<BackorderViolation[]> {
  const rows = await backorderReconciliationRows(db);
  const violations: BackorderViolation[] = [];
  for (const r of rows) {
    const of = { orderId: r.order_id, productId: r.product_id, sku: r.sku, warehouse: r.warehouse };
    const negatives = [
      ['backordered', r.quantity],
      ['allocated', r.allocated],
      ['cancelled', r.cancelled],
      ['open', r.open],
    ].filter(([, v]) => (v as number) < 0);
    if (negatives.length) violations.push({ ...of, check: 'BACKORDER_NEGATIVE', detail: negatives.map(([k, v]) => `${k} ${v}`).join(', ') });
    if (r.quantity > r.line_quantity)
      violations.push({ ...of, check: 'BACKORDER_EXCEEDS_ORDERED', detail: `backordered ${r.quantity} > ordered ${r.line_quantity}` });
    if (r.status === 'OPEN' && r.open > 0 && r.available > 0n) {
      violations.push({ ...of, check: 'BACKORDER_BESIDE_AVAILABLE', detail: `${r.open} backordered while ${r.available} available in ${r.warehouse}` });
    }
  }
  return violations;
}
