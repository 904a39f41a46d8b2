import type { ShippedOnDay } from '../db/replenishment';
import { addDays } from '../domain/calendar';

/**
 * The demand window of a scan run on `today`: the `windowDays` whole days
 * before it. Today itself is left out because it is not over yet: a scan at
 * 02:00 would count a nearly empty day and understate demand.
 */
export function demandWindow(today: string, windowDays: number): { from: string; to: string } {
  return { from: addDays(today, -windowDays), to: today };
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
