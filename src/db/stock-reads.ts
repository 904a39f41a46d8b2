import type { Db } from './client';

export interface LocationStock {
  warehouseId: number;
  locationId: number;
  /** aisle-bay-level-bin, the name the import file and warehouse staff use. */
  location: string;
  type: string;
  onHand: number;
  reserved: number;
  available: number;
  lastCountedAt: Date | null;
  lastMovedAt: Date | null;
}

/** A product's stock per location, by (warehouseId, locationId), keyset-paged; no locks. */
export async function readProductStock(
  db: Db,
  productId: number,
  opts: { after: { warehouseId: number; locationId: number } | null; limit: number },
): Promise<LocationStock[]> {
  const afterWarehouse = opts.after?.warehouseId ?? null;
  const afterLocation = opts.after?.locationId ?? null;
  return db.$queryRaw<LocationStock[]>`
    SELECT l.warehouse_id AS "warehouseId", l.location_id AS "locationId", concat_ws('-', l.aisle, l.bay, l.level, l.bin) AS location,
           l.type::text AS type, i.quantity_on_hand AS "onHand", i.quantity_reserved AS reserved, i.quantity_available AS available,
           i.last_counted_at AS "lastCountedAt", i.last_moved_at AS "lastMovedAt"
      FROM inventory i JOIN location l ON l.location_id = i.location_id
     WHERE i.product_id = ${productId}
       AND (${afterWarehouse}::int IS NULL OR (l.warehouse_id, l.location_id) > (${afterWarehouse}::int, ${afterLocation}::int))
     ORDER BY l.warehouse_id, l.location_id
     LIMIT ${opts.limit}`;
}
