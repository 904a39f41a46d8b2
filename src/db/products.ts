import type { Tx } from './types';
import type { Dimensions } from '../domain/capacity';
import type { OrderLineToReserve } from '../domain/order-lines';
import type { RequestedLine } from '../domain/types';

export interface ProductRow {
  productId: number;
  sku: string;
  isActive: boolean;
  /** Read along so a reservation can tell, from the rows it locked, whether replenishment needs a look. */
  autoReplenish: boolean;
  reorderPoint: number;
  /** Contract v2: an order with backorder ALLOW may backorder this product. */
  allowBackorder: boolean;
}

export type ResolvedLine = OrderLineToReserve & { product: ProductRow | null };

/** Looks up the products that event lines name by productId or sku (one query for any number of lines). */
export async function resolveProductLines(tx: Tx, lines: readonly RequestedLine[]): Promise<ResolvedLine[]> {
  const { ids, skus } = productNames(lines);
  // Two array parameters rather than one per id: a batch of orders names hundreds of products.
  const products = await tx.$queryRaw<ProductRow[]>`
    SELECT product_id AS "productId", sku, is_active AS "isActive", auto_replenish AS "autoReplenish", reorder_point AS "reorderPoint",
           allow_backorder AS "allowBackorder" FROM product
     WHERE product_id = ANY(${ids}::int[]) OR sku = ANY(${skus}::text[])`;
  return matchProductLines(lines, products);
}

/** The ids and skus lines name (a line with a productId is looked up by it; its sku must then match). */
export function productNames(lines: readonly RequestedLine[]): { ids: number[]; skus: string[] } {
  const ids = lines.flatMap((l) => (l.productId !== undefined ? [l.productId] : []));
  const skus = lines.flatMap((l) => (l.productId === undefined && l.sku !== undefined ? [l.sku] : []));
  return { ids: [...new Set(ids)], skus: [...new Set(skus)] };
}

/** Each line with the product it names among `products` (looked up by productNames), or null. */
export function matchProductLines(lines: readonly RequestedLine[], products: readonly ProductRow[]): ResolvedLine[] {
  const byId = new Map(products.map((p) => [p.productId, p]));
  const bySku = new Map(products.map((p) => [p.sku, p]));
  return lines.map((line) => {
    let product = line.productId !== undefined ? byId.get(line.productId) : bySku.get(line.sku ?? '');
    // Both given but naming different products: reserve neither rather than guess (reported as UNKNOWN_PRODUCT).
    if (product && line.sku !== undefined && product.sku !== line.sku) product = undefined;
    return { productId: line.productId ?? null, sku: line.sku ?? null, quantity: line.quantity, product: product ?? null };
  });
}

/** A product's sku and the measures put-away checks against a location's limits. */
export interface ProductMeasures {
  productId: number;
  sku: string;
  unitWeightGrams: number;
  dimensions: Dimensions;
}

/** The measures of the products with these ids, by productId; ids that match nothing are absent. */
export async function productMeasures(tx: Tx, productIds: readonly number[]): Promise<Map<number, ProductMeasures>> {
  const rows = await tx.product.findMany({
    where: { productId: { in: [...productIds] } },
    select: { productId: true, sku: true, unitWeightGrams: true, dimensions: true },
  });
  return new Map(
    rows.map((p) => [
      p.productId,
      { productId: p.productId, sku: p.sku, unitWeightGrams: p.unitWeightGrams, dimensions: p.dimensions as unknown as Dimensions },
    ]),
  );
}

/** The product named by its productId when given, else by its sku; null when there is none. */
export async function productMeasuresByRef(tx: Tx, ref: { productId?: number; sku?: string }): Promise<ProductMeasures | null> {
  const found = await tx.product.findUnique({
    where: ref.productId !== undefined ? { productId: ref.productId } : { sku: ref.sku ?? '' },
    select: { productId: true, sku: true, unitWeightGrams: true, dimensions: true },
  });
  return found && { ...found, dimensions: found.dimensions as unknown as Dimensions };
}
