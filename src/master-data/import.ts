import type { Db } from '../db/client';
import type { Tx } from '../db/types';
import { applyStockChanges } from '../db/inventory';
import { appendLedger } from '../db/ledger';
import { stageLevelChanges } from '../db/level-changes';
import {
  analyzeMasterData,
  categoryIdByCode,
  createEmptyInventoryRow,
  hasInventoryRow,
  locationIdAt,
  productIdBySku,
  supplierIdByCode,
  upsertCategory,
  upsertLocation,
  upsertProduct,
  upsertSupplier,
  upsertWarehouse,
} from '../db/master-data';
import { importFileSchema, type ImportFile } from './import-schema';
import { ImportError } from '../errors';

export interface ImportSummary {
  categories: number;
  suppliers: number;
  warehouses: number;
  locations: number;
  products: number;
  stockCreated: number;
  stockSkipped: number;
}

/** Validates an import file (already JSON-parsed); the error lists the path of each bad field. */
export function parseImportFile(json: unknown): ImportFile {
  const parsed = importFileSchema.safeParse(json);
  if (!parsed.success) throw new ImportError(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`));
  return parsed.data;
}

/**
 * Upserts master data by natural key and writes opening stock through the
 * ledger, all in one transaction: the whole file applies or nothing does.
 * Opening stock is written only where the product has no inventory at that
 * location yet, so importing the same file twice changes nothing.
 */
export async function importMasterData(db: Db, json: unknown, now = new Date()): Promise<ImportSummary> {
  const file = parseImportFile(json);
  const summary = await db.$transaction((tx) => applyImport(tx, file, now), { timeout: 300_000, maxWait: 30_000 });
  // Fresh planner statistics now, not at autovacuum's next round (why: analyzeMasterData).
  await analyzeMasterData(db);
  return summary;
}

async function applyImport(tx: Tx, file: ImportFile, now: Date): Promise<ImportSummary> {
  const problems: string[] = [];
  const categoryIds = new Map<string, number>();
  for (const c of file.categories) categoryIds.set(c.code, await upsertCategory(tx, c));
  const supplierIds = new Map<string, number>();
  for (const s of file.suppliers) supplierIds.set(s.code, await upsertSupplier(tx, s));
  let locations = 0;
  for (const w of file.warehouses) {
    const fields = { name: w.name, address: w.address ?? null, timezone: w.timezone, capacityCubicMeters: w.capacityCubicMeters ?? null };
    const warehouseId = await upsertWarehouse(tx, w.code, fields);
    for (const l of w.locations) {
      const key = { warehouseId, aisle: l.aisle, bay: l.bay, level: l.level, bin: l.bin };
      await upsertLocation(tx, key, { type: l.type, maxWeightKg: l.maxWeightKg, maxVolumeCubicCm: l.maxVolumeCubicCm });
      locations++;
    }
  }
  for (const [i, p] of file.products.entries()) {
    const categoryId = p.category === undefined ? null : await lookup(categoryIds, p.category, (code) => categoryIdByCode(tx, code));
    const supplierId = p.supplier === undefined ? null : await lookup(supplierIds, p.supplier, (code) => supplierIdByCode(tx, code));
    if (categoryId === undefined) problems.push(`products.${i}.category: unknown category "${p.category}"`);
    if (supplierId === undefined) problems.push(`products.${i}.supplier: unknown supplier "${p.supplier}"`);
    if (categoryId === undefined || supplierId === undefined) continue;
    const { category: _c, supplier: _s, ...fields } = p;
    await upsertProduct(tx, { ...fields, categoryId, supplierId }); // recorded: the reorder point decides the level's status
  }
  const stock = await importOpeningStock(tx, file, now, problems);
  if (problems.length > 0) throw new ImportError(problems);
  // Opening stock and changed reorder points move levels: published like any other change, with no
  // inbound cause. A second import of the same file changes no figure and so publishes nothing.
  await stageLevelChanges(tx, { eventId: null, correlationId: null }, now);
  return {
    categories: file.categories.length,
    suppliers: file.suppliers.length,
    warehouses: file.warehouses.length,
    locations,
    products: file.products.length,
    ...stock,
  };
}

async function importOpeningStock(tx: Tx, file: ImportFile, now: Date, problems: string[]): Promise<{ stockCreated: number; stockSkipped: number }> {
  let stockCreated = 0;
  let stockSkipped = 0;
  for (const [i, s] of file.stock.entries()) {
    const [aisle, bay, level, bin] = s.location.split('-') as [string, string, string, string];
    const productId = await productIdBySku(tx, s.sku);
    const locationId = await locationIdAt(tx, s.warehouse, { aisle, bay, level, bin });
    if (productId === null) problems.push(`stock.${i}.sku: unknown product "${s.sku}"`);
    if (locationId === null) problems.push(`stock.${i}.location: no location "${s.location}" in warehouse "${s.warehouse}"`);
    if (productId === null || locationId === null) continue;
    const key = { productId, locationId };
    if (await hasInventoryRow(tx, key)) {
      stockSkipped++;
      continue;
    }
    if (s.quantity === 0) {
      await createEmptyInventoryRow(tx, key); // a stocked product at zero is listed (OUT_OF_STOCK)
    } else {
      await applyStockChanges(tx, [{ ...key, onHandDelta: s.quantity, reservedDelta: 0 }], now);
      await appendLedger(
        tx,
        null,
        [{ ...key, txnType: 'RECEIVE', quantity: s.quantity, referenceType: 'IMPORT', referenceId: 'opening-stock', performedBy: 'import' }],
        now,
      );
    }
    stockCreated++;
  }
  return { stockCreated, stockSkipped };
}

/** A code from this file, else from the database; undefined when neither knows it. */
async function lookup(fromFile: Map<string, number>, code: string, fromDb: (code: string) => Promise<number | undefined>): Promise<number | undefined> {
  return fromFile.get(code) ?? (await fromDb(code));
}
