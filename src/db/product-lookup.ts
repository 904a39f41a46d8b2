import type { Db } from './client';

export interface ProductRef {
  productId: number;
  sku: string;
}

/** The products named by id or sku (read-only, no locks); names that match nothing are simply absent. */
export async function lookupProducts(db: Db, names: { productIds?: readonly number[]; skus?: readonly string[] }): Promise<ProductRef[]> {
  const ids = [...new Set(names.productIds ?? [])];
  const skus = [...new Set(names.skus ?? [])];
  if (ids.length === 0 && skus.length === 0) return [];
  return db.$queryRaw<ProductRef[]>`
    SELECT product_id AS "productId", sku FROM product
     WHERE product_id = ANY(${ids}::int[]) OR sku = ANY(${skus}::text[])
     ORDER BY product_id`;
}
