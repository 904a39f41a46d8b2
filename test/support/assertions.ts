import type { Db } from '../../src/db/client';

/**
 * The invariants every scenario must leave behind: the ledger explains every
 * unit on hand, open reservations explain every unit reserved, and no row is
 * over-reserved. Returns the rows that disagree (empty when all is well).
 */
export async function stockDrift(db: Db): Promise<unknown[]> {
  return db.$queryRaw<unknown[]>`
    WITH ledger AS (
      SELECT product_id, location_id, SUM(quantity) FILTER (WHERE txn_type IN ('RECEIVE','SHIP','ADJUST','TRANSFER'))::int AS on_hand
        FROM inventory_transaction GROUP BY product_id, location_id),
    held AS (
      SELECT product_id, location_id, SUM(quantity - quantity_shipped - quantity_released)::int AS reserved
        FROM reservation GROUP BY product_id, location_id)
    SELECT i.product_id, i.location_id, i.quantity_on_hand, COALESCE(l.on_hand, 0) AS ledger_on_hand,
           i.quantity_reserved, COALESCE(h.reserved, 0) AS reservations
      FROM inventory i
      LEFT JOIN ledger l USING (product_id, location_id)
      LEFT JOIN held h USING (product_id, location_id)
     WHERE i.quantity_on_hand <> COALESCE(l.on_hand, 0)
        OR i.quantity_reserved <> COALESCE(h.reserved, 0)
        OR i.quantity_reserved > i.quantity_on_hand`;
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
