import type { Db } from '../../src/db/client';
import { reconcile } from '../../src/ops/reconcile';

/**
 * The invariants every scenario must leave behind, checked by the same code as
 * `npm run cli -- reconcile`: the ledger explains every unit on hand, open
 * reservations explain every unit reserved, and no row is over-reserved or
 * negative. Returns what disagrees (empty when all is well).
 */
export async function stockDrift(db: Db): Promise<unknown[]> {
  const report = await reconcile(db);
  return [...report.drift, ...report.violations, ...(report.backorders ?? [])];
}

export async function inventoryOf(db: Db, sku: string): Promise<{ location: string; onHand: number; reserved: number; available: number }[]> {
  const rows = await db.inventory.findMany({
    where: { product: { sku } },
    include: { location: true },
    orderBy: { locationId: 'asc' },
  });
  return rows.map((r) => ({
    location: `${r.location.aisle}-${r.location.bay}-${r.location.level}-${r.location.bin}`,
    onHand: r.quantityOnHand,
    reserved: r.quantityReserved,
    available: r.quantityAvailable,
  }));
}
