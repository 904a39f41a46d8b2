import type { OrderLineToReserve } from './order-lines';
import type { AvailableByWarehouse } from './warehouse-choice';

/**
 * At most this many warehouses are searched for a split (2^16 sets): the ones
 * that cover the most units of the order, lowest id on a tie. A warehouse
 * that covers nothing is never part of a smallest set, so real networks stay
 * far below the cap; past it the search would grow exponentially.
 */
export const MAX_SPLIT_CANDIDATES = 16;

/** A set of warehouses, in the order each line draws on them. */
export type WarehouseSplit = number[];

/**
 * The contract's split strategy for an order that no single warehouse covers:
 * fewest warehouses first; among sets of that size, the set whose first
 * warehouse covers the most units of the order; then the lowest warehouse ids
 * (compared in ascending order). Within a set the warehouses are ordered by
 * the units each covers (most first, lowest id on a tie) and every line takes
 * what it can from the first, then the next: so the first warehouse is the
 * one that ships the most. Every warehouse of the chosen set holds part of
 * the order (else a smaller set would cover it). null: no set covers every
 * line, or a line's product is unknown or inactive.
 */
export function chooseSplit(lines: readonly OrderLineToReserve[], available: AvailableByWarehouse): WarehouseSplit | null {
  if (lines.some((l) => !l.product || !l.product.isActive)) return null;
  const coverage = (warehouseId: number) => unitsCovered(lines, available.get(warehouseId));
  const candidates = [...available.keys()]
    .map((warehouseId) => ({ warehouseId, units: coverage(warehouseId) }))
    .filter((c) => c.units > 0)
    .sort((a, b) => b.units - a.units || a.warehouseId - b.warehouseId)
    .slice(0, MAX_SPLIT_CANDIDATES);

  for (let size = 1; size <= candidates.length; size++) {
    let best: { first: number; ids: number[]; ordered: WarehouseSplit } | null = null;
    for (const set of combinations(candidates, size)) {
      if (
        !coversEveryLine(
          lines,
          set.map((c) => available.get(c.warehouseId)),
        )
      )
        continue;
      // candidates are sorted by units, so each set already is in draw order.
      const ordered = set.map((c) => c.warehouseId);
      const ids = [...ordered].sort((a, b) => a - b);
      const first = set[0]!.units;
      if (!best || first > best.first || (first === best.first && lexicographicallyLower(ids, best.ids))) best = { first, ids, ordered };
    }
    if (best) return best.ordered;
  }
  return null;
}

/** Units of the order a warehouse could ship on its own: per line, what it has up to the line's quantity. */
export function unitsCovered(lines: readonly OrderLineToReserve[], available: ReadonlyMap<number, number> | undefined): number {
  return lines.reduce((sum, l) => sum + (l.product ? Math.min(l.quantity, available?.get(l.product.productId) ?? 0) : 0), 0);
}

function coversEveryLine(lines: readonly OrderLineToReserve[], sets: readonly (ReadonlyMap<number, number> | undefined)[]): boolean {
  return lines.every((l) => sets.reduce((sum, a) => sum + (a?.get(l.product!.productId) ?? 0), 0) >= l.quantity);
}

function lexicographicallyLower(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

/** Every k-element subset, keeping the input's order inside each subset. */
function* combinations<T>(items: readonly T[], k: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i <= items.length - (k - prefix.length); i++) yield* combinations(items, k, i + 1, [...prefix, items[i]!]);
}
