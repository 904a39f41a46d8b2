import { Client } from 'pg';
import { createDb } from '../src/db/client';
import { importMasterData } from '../src/master-data/import';
import type { ImportFileInput } from '../src/master-data/import-schema';

/**
 * The benchmark's catalogue: PRODUCTS ordinary products spread over two
 * warehouses, each stocked at a pick face and a bulk location with enough
 * units that no distinct-SKU order ever runs short, plus one HOT sku with
 * two million units in warehouse 1. Products auto-replenish with a low
 * reorder point, so the service's reorder-point check runs (and finds
 * nothing to do) on every reservation, as it would in production.
 */
export const PRODUCTS = 2_000;
export const HOT_SKU = 'HOT-1';
const AISLES = ['A', 'B', 'C', 'D', 'E'];
const BAYS = 10;
const SLOTS = AISLES.length * BAYS; // locations per level per warehouse
const STOCK_PER_LOCATION = 5_000;
const HOT_STOCK_PER_LOCATION = 1_000_000; // the import's maximum per stock row

function slot(i: number, level: 1 | 2): string {
  const s = i % SLOTS;
  return `${AISLES[Math.floor(s / BAYS)]}-${String((s % BAYS) + 1).padStart(2, '0')}-${level}-01`;
}

export function benchCatalog(): ImportFileInput {
  const warehouses = ['WH1', 'WH2'].map((code) => ({
    code,
    name: `Bench ${code}`,
    timezone: 'UTC',
    locations: [1, 2].flatMap((level) =>
      Array.from({ length: SLOTS }, (_, s) => {
        const [aisle, bay, lvl, bin] = slot(s, level as 1 | 2).split('-') as [string, string, string, string];
        return {
          aisle,
          bay,
          level: lvl,
          bin,
          type: level === 1 ? ('PICK_FACE' as const) : ('BULK' as const),
          maxWeightKg: 1_000_000,
          maxVolumeCubicCm: 1_000_000_000,
        };
      }),
    ),
  }));
  const product = (sku: string) => ({
    sku,
    name: `Bench product ${sku}`,
    category: 'BENCH',
    supplier: 'BENCH',
    unitCost: '9.99',
    unitWeightGrams: 500,
    dimensions: { length: 10, width: 10, height: 10 },
    reorderPoint: 10,
    reorderQuantity: 100,
    leadTimeDays: 5,
    autoReplenish: true,
  });
  const skus = Array.from({ length: PRODUCTS }, (_, i) => `BENCH-${String(i + 1).padStart(5, '0')}`);
  const stock = skus.flatMap((sku, i) => {
    const warehouse = i % 2 === 0 ? 'WH1' : 'WH2';
    return [
      { sku, warehouse, location: slot(i, 1), quantity: STOCK_PER_LOCATION },
      { sku, warehouse, location: slot(i * 7 + 3, 2), quantity: STOCK_PER_LOCATION },
    ];
  });
  stock.push({ sku: HOT_SKU, warehouse: 'WH1', location: slot(0, 1), quantity: HOT_STOCK_PER_LOCATION });
  stock.push({ sku: HOT_SKU, warehouse: 'WH1', location: slot(1, 2), quantity: HOT_STOCK_PER_LOCATION });
  return {
    categories: [{ code: 'BENCH', name: 'Benchmark' }],
    suppliers: [{ code: 'BENCH', name: 'Benchmark supplier' }],
    warehouses,
    products: [...skus.map(product), product(HOT_SKU)],
    stock,
  };
}

export interface CatalogIds {
  /** Ordinary products: id and the one warehouse that stocks it. */
  products: { productId: number; warehouseId: number }[];
  hot: { productId: number; warehouseId: number };
  /** Every SKU, the hot one included: the read phase asks for random ones. */
  skus: string[];
  importMs: number;
}

/**
 * Imports the catalogue through the service's own importer (opening stock as
 * RECEIVE ledger rows, exactly as production data gets there) and reads back
 * the ids that events use.
 */
export async function loadCatalog(databaseUrl: string): Promise<CatalogIds> {
  const db = createDb(databaseUrl, 2);
  const started = Date.now();
  try {
    await importMasterData(db, benchCatalog());
  } finally {
    await db.$disconnect();
  }
  const importMs = Date.now() - started;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ product_id: number; sku: string; warehouse_id: number }>(
      `SELECT DISTINCT ON (p.product_id) p.product_id, p.sku, l.warehouse_id
         FROM product p JOIN inventory i USING (product_id) JOIN location l USING (location_id)
        ORDER BY p.product_id, l.warehouse_id`,
    );
    const hotRow = rows.find((r) => r.sku === HOT_SKU);
    if (!hotRow || rows.length !== PRODUCTS + 1) throw new Error(`catalogue import incomplete: ${rows.length} stocked products`);
    return {
      products: rows.filter((r) => r !== hotRow).map((r) => ({ productId: r.product_id, warehouseId: r.warehouse_id })),
      hot: { productId: hotRow.product_id, warehouseId: hotRow.warehouse_id },
      skus: rows.map((r) => r.sku),
      importMs,
    };
  } finally {
    await client.end();
  }
}
