import type { Db } from './client';
import type { Tx } from './types';
import { recordProductChanges, recordStockRowChanges } from './level-changes';
import type { LocationType } from '../domain/types';

/**
 * The master-data import's statements (src/master-data/import.ts), each on
 * its record's natural key: upserts, so importing the same file twice changes
 * nothing, and the look-ups of codes a file names but does not define.
 */

export interface CodeAndName {
  code: string;
  name: string;
}

/** Returns the category's id. */
export async function upsertCategory(tx: Tx, category: CodeAndName): Promise<number> {
  const row = await tx.category.upsert({ where: { code: category.code }, create: category, update: { name: category.name } });
  return row.categoryId;
}

/** Returns the supplier's id. */
export async function upsertSupplier(tx: Tx, supplier: CodeAndName): Promise<number> {
  const row = await tx.supplier.upsert({ where: { code: supplier.code }, create: supplier, update: { name: supplier.name } });
  return row.supplierId;
}

export async function categoryIdByCode(tx: Tx, code: string): Promise<number | undefined> {
  return (await tx.category.findUnique({ where: { code } }))?.categoryId;
}

export async function supplierIdByCode(tx: Tx, code: string): Promise<number | undefined> {
  return (await tx.supplier.findUnique({ where: { code } }))?.supplierId;
}

export interface WarehouseFields {
  name: string;
  address: string | null;
  timezone: string;
  capacityCubicMeters: number | null;
}

/** Returns the warehouse's id. */
export async function upsertWarehouse(tx: Tx, code: string, fields: WarehouseFields): Promise<number> {
  const warehouse = await tx.warehouse.upsert({ where: { code }, create: { code, ...fields }, update: fields });
  return warehouse.warehouseId;
}

export interface LocationKey {
  warehouseId: number;
  aisle: string;
  bay: string;
  level: string;
  bin: string;
}

export async function upsertLocation(tx: Tx, key: LocationKey, capacity: { type: LocationType; maxWeightKg: number; maxVolumeCubicCm: number }): Promise<void> {
  await tx.location.upsert({ where: { warehouseId_aisle_bay_level_bin: key }, create: { ...key, ...capacity }, update: capacity });
}

export interface ProductMaster {
  sku: string;
  name: string;
  categoryId: number | null;
  supplierId: number | null;
  unitCost: string;
  unitWeightGrams: number;
  /** Millimetres. A type literal, not the Dimensions interface: Prisma's JSON input wants an index signature. */
  dimensions: { length: number; width: number; height: number };
  reorderPoint: number;
  reorderQuantity: number;
  leadTimeDays: number;
  isActive: boolean;
  autoReplenish: boolean;
  allowBackorder: boolean;
}

/** Returns the product's id; recorded for the level events (the reorder point decides a level's status). */
export async function upsertProduct(tx: Tx, product: ProductMaster): Promise<number> {
  const { productId } = await tx.product.upsert({ where: { sku: product.sku }, create: product, update: product, select: { productId: true } });
  recordProductChanges(tx, [productId]);
  return productId;
}

export async function productIdBySku(tx: Tx, sku: string): Promise<number | null> {
  return (await tx.product.findUnique({ where: { sku }, select: { productId: true } }))?.productId ?? null;
}

/** The location aisle-bay-level-bin of the warehouse with this code, or null. */
export async function locationIdAt(tx: Tx, warehouseCode: string, place: { aisle: string; bay: string; level: string; bin: string }): Promise<number | null> {
  return (await tx.location.findFirst({ where: { warehouse: { code: warehouseCode }, ...place }, select: { locationId: true } }))?.locationId ?? null;
}

export async function hasInventoryRow(tx: Tx, key: { productId: number; locationId: number }): Promise<boolean> {
  return (await tx.inventory.findUnique({ where: { productId_locationId: key }, select: { inventoryId: true } })) !== null;
}

/** An inventory row at zero: the product is stocked there (listed OUT_OF_STOCK), recorded for the level events. */
export async function createEmptyInventoryRow(tx: Tx, key: { productId: number; locationId: number }): Promise<void> {
  await tx.inventory.create({ data: key });
  recordStockRowChanges(tx, [key]);
}

/**
 * Fresh statistics for the planner right away rather than at autovacuum's next
 * round: after a first import into empty tables it planned the reservation's
 * lock statement as a scan of every location of the warehouse (12-26 ms
 * instead of under 1 ms for 25-45 orders).
 */
export async function analyzeMasterData(db: Db): Promise<void> {
  await db.$executeRaw`ANALYZE warehouse, location, product, inventory`;
}
