import type { Tx } from '../db/types';
import { addDays } from '../domain/calendar';

/**
 * The demand window of a scan run on `today`: the `windowDays` whole days
 * before it. Today itself is left out because it is not over yet: a scan at
 * 02:00 would count a nearly empty day and understate demand.
 */
export function demandWindow(today: string, windowDays: number): { from: string; to: string } {
  return { from: addDays(today, -windowDays), to: today };
}

export interface ShippedOnDay {
  productId: number;
  day: string;
  shipped: number;
}

/**
 * Units shipped per product and day, days counted in the warehouse's own
 * time zone (a shipment at 23:30 UTC belongs to the next day in Berlin),
 * from SHIP ledger rows at that warehouse's locations in [from, to).
 * SHIP rows are negative (they lower on-hand), so demand is their negation.
 */
export async function loadShippedByDay(
  tx: Tx,
  warehouse: { warehouseId: number; timezone: string },
  productIds: number[],
  window: { from: string; to: string },
): Promise<ShippedOnDay[]> {
  if (productIds.length === 0) return [];
  const tz = warehouse.timezone;
  return tx.$queryRaw<ShippedOnDay[]>`
    SELECT t.product_id AS "productId", to_char(t.created_at AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS day, SUM(-t.quantity)::int AS shipped
      FROM inventory_transaction t JOIN location l ON l.location_id = t.location_id
     WHERE t.txn_type = 'SHIP'
       AND l.warehouse_id = ${warehouse.warehouseId}
       AND t.product_id = ANY(${productIds}::int[])
       AND t.created_at >= (${window.from}::date::timestamp AT TIME ZONE ${tz})
       AND t.created_at <  (${window.to}::date::timestamp AT TIME ZONE ${tz})
     GROUP BY 1, 2`;
}

/**
 * One product's daily series over the window, oldest day first, with a zero
 * for every day without shipments: leaving those out would make demand look
 * higher and steadier than it is.
 */
export function dailySeries(shipped: readonly ShippedOnDay[], productId: number, window: { from: string; to: string }): number[] {
  const byDay = new Map(shipped.filter((s) => s.productId === productId).map((s) => [s.day, s.shipped]));
  const series: number[] = [];
  for (let day = window.from; day < window.to; day = addDays(day, 1)) series.push(byDay.get(day) ?? 0);
  return series;
}
