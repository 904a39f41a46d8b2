import type { Tx } from './types';
import { productNames, type ProductRow } from './products';
import { placedOrdersSql } from './reservations';
import type { RequestedLine } from '../domain/types';

/** What a run of OrderPlaced events reads before it locks anything. */
export interface PlacementReads {
  /** Orders that already have reservations or recorded options: placed before. */
  placed: Set<string>;
  /** The products the lines name (productNames: by id, or by sku). */
  products: ProductRow[];
  /** Available units per warehouse and product of those products, read without locks: only used to choose a warehouse (empty when not asked for). */
  available: Map<number, Map<number, number>>;
}

/**
 * The three reads of a run of OrderPlaced events before its locks (orders
 * placed before, the lines' products, availability per warehouse for the
 * choice) in ONE statement: each round trip inside the transaction costs the
 * service about half a millisecond of CPU and the transaction its wait, and
 * these three were a quarter of a run's statements. The placed orders and
 * the products are the SELECTs of ordersWithReservations and
 * resolveProductLines. `withAvailability`: false when every order names its
 * warehouse (nothing to choose).
 */
export async function placementReads(tx: Tx, orderIds: readonly string[], lines: readonly RequestedLine[], withAvailability: boolean): Promise<PlacementReads> {
  const { ids, skus } = productNames(lines);
  const rows = await tx.$queryRaw<Row[]>`
    WITH products AS (
      SELECT product_id, sku, is_active, auto_replenish, reorder_point, allow_backorder FROM product
       WHERE product_id = ANY(${ids}::int[]) OR sku = ANY(${skus}::text[])
    ),
    placed AS (${placedOrdersSql(orderIds)}),
    available AS (
      -- bigint: one product can hold more than 2^31 units in a warehouse over several rows (each row is an int)
      SELECT l.warehouse_id, i.product_id, SUM(GREATEST(i.quantity_available, 0))::bigint AS available
        FROM inventory i JOIN location l ON l.location_id = i.location_id
       WHERE ${withAvailability}::boolean AND i.product_id IN (SELECT product_id FROM products)
       GROUP BY l.warehouse_id, i.product_id
    )
    SELECT 'product' AS kind, product_id, sku, is_active, auto_replenish, reorder_point, allow_backorder,
           NULL::text AS order_id, NULL::int AS warehouse_id, NULL::bigint AS available FROM products
    UNION ALL
    SELECT 'placed', NULL, NULL, NULL, NULL, NULL, NULL, order_id, NULL, NULL FROM placed
    UNION ALL
    SELECT 'available', product_id, NULL, NULL, NULL, NULL, NULL, NULL, warehouse_id, available FROM available`;
  const result: PlacementReads = { placed: new Set(), products: [], available: new Map() };
  for (const r of rows) {
    if (r.kind === 'placed') result.placed.add(r.order_id!);
    else if (r.kind === 'product')
      result.products.push({
        productId: r.product_id!,
        sku: r.sku!,
        isActive: r.is_active!,
        autoReplenish: r.auto_replenish!,
        reorderPoint: r.reorder_point!,
        allowBackorder: r.allow_backorder!,
      });
    else {
      const perProduct = result.available.get(r.warehouse_id!) ?? new Map<number, number>();
      perProduct.set(r.product_id!, Number(r.available)); // exact: far below 2^53
      result.available.set(r.warehouse_id!, perProduct);
    }
  }
  return result;
}

interface Row {
  kind: 'product' | 'placed' | 'available';
  product_id: number | null;
  sku: string | null;
  is_active: boolean | null;
  auto_replenish: boolean | null;
  reorder_point: number | null;
  allow_backorder: boolean | null;
  order_id: string | null;
  warehouse_id: number | null;
  available: bigint | null;
}
