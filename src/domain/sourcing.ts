import { allocateReservation, type ShortLine, type StockByProduct } from './allocation';
import { mergeLinesBy, resolvedProductKey, type OrderLineToReserve } from './order-lines';
import { availableAt, pickSequence, totalAvailable, type StockAtLocation } from './pick-sequence';
import { chooseSplit, unitsCovered } from './split';
import { chooseWarehouse, type AvailableByWarehouse } from './warehouse-choice';
import type { ProductRef } from './types';

/** Contract v2 options of an OrderPlaced. */
export interface SourcingOptions {
  /** The warehouse the order names, if any. */
  warehouseId?: number;
  split: boolean;
  backorder: boolean;
}

export type BackorderableProduct = ProductRef & { allowBackorder: boolean };
export type SourcingLineInput = Omit<OrderLineToReserve, 'product'> & { product: BackorderableProduct | null };

export interface SourcedAllocation {
  warehouseId: number;
  locationId: number;
  quantity: number;
}

/** An order line as StockReserved v2 reports it: quantity ordered, what waits as a backorder, where the rest is held. */
export interface SourcedLine {
  productId: number;
  sku: string;
  quantity: number;
  backordered: number;
  allocations: SourcedAllocation[];
}

export type SourcingPlan =
  | {
      ok: true;
      lines: SourcedLine[];
      /** Where the order's backorders wait (they are always in one warehouse); null when nothing is backordered. */
      backorderWarehouseId: number | null;
    }
  | { ok: false; warehouseId: number | null; shortLines: ShortLine[] };

/** Locked stock of the order's products, per warehouse, then per product. */
export type StockByWarehouse = ReadonlyMap<number, StockByProduct>;

/**
 * Reserves an OrderPlaced that uses contract v2's `sourcing` or `backorder`,
 * all or nothing over the whole order. In this order of preference:
 * 1. a named warehouse: reserve there, backordering what it lacks of the
 *    backorderable lines;
 * 2. the v1 rule: the lowest-id warehouse that covers every line from stock;
 * 3. SPLIT: the contract's split strategy (chooseSplit), from stock;
 * 4. backorder ALLOW: the one warehouse that covers every line that cannot be
 *    backordered and the most units of those that can (lowest id on a tie);
 *    the rest is backordered there.
 * Else InsufficientStock, reported as v1 does (the warehouse covering most
 * lines), listing only lines that could not be reserved or backordered.
 * A line is backorderable when the order allows it and the product is active
 * with allowBackorder. warehouseIds are every warehouse the caller knows (a
 * wholly backordered order may wait where nothing is stocked yet).
 */
export function planSourcing(
  lines: readonly SourcingLineInput[],
  stock: StockByWarehouse,
  warehouseIds: readonly number[],
  options: SourcingOptions,
): SourcingPlan {
  const merged = mergeLinesBy(lines, resolvedProductKey);
  const backorderable = (l: SourcingLineInput) => options.backorder && !!l.product?.isActive && l.product.allowBackorder;
  if (options.warehouseId !== undefined) return inOneWarehouse(merged, options.warehouseId, stock, backorderable);

  const totals = totalsOf(stock, warehouseIds);
  // As v1: the choice (and the warehouse an InsufficientStock names) is among the warehouses that stock the order's products.
  const stocked = warehouseIds.filter((w) => stock.has(w));
  const whole = chooseWarehouse(merged, totalsOf(stock, stocked.length > 0 ? stocked : warehouseIds));
  if (whole.ok) return inOneWarehouse(merged, whole.warehouseId, stock, () => false);
  if (options.split) {
    const split = chooseSplit(merged, totals);
    if (split) return { ok: true, lines: merged.map((l) => drawAcross(l, split, stock)), backorderWarehouseId: null };
  }
  if (merged.some(backorderable)) {
    const firm = merged.filter((l) => !backorderable(l));
    const flexible = merged.filter(backorderable);
    const candidates = [...warehouseIds]
      .sort((a, b) => a - b)
      .filter((w) => firm.every((l) => l.product?.isActive && (totals.get(w)?.get(l.product.productId) ?? 0) >= l.quantity));
    let best: number | null = null;
    for (const w of candidates) if (best === null || unitsCovered(flexible, totals.get(w)) > unitsCovered(flexible, totals.get(best))) best = w;
    if (best !== null) return inOneWarehouse(merged, best, stock, backorderable);
  }
  const report = whole.warehouseId;
  if (report === null) return { ok: false, warehouseId: null, shortLines: [] };
  return inOneWarehouse(merged, report, stock, backorderable);
}

function inOneWarehouse(
  lines: readonly SourcingLineInput[],
  warehouseId: number,
  stock: StockByWarehouse,
  backorderable: (l: SourcingLineInput) => boolean,
): SourcingPlan {
  const here = stock.get(warehouseId) ?? new Map<number, readonly StockAtLocation[]>();
  // The firm lines follow v1's rules exactly (and its InsufficientStock lines).
  const firm = allocateReservation(
    lines.filter((l) => !backorderable(l)),
    here,
  );
  if (!firm.ok) return { ok: false, warehouseId, shortLines: firm.shortLines };
  const firmByProduct = new Map(firm.lines.map((l) => [l.productId, l]));
  const sourced = lines.map((line): SourcedLine => {
    const product = line.product!;
    const reserved = firmByProduct.get(product.productId);
    if (reserved) return { ...reserved, backordered: 0, allocations: reserved.allocations.map((a) => ({ warehouseId, ...a })) };
    const slots = here.get(product.productId) ?? [];
    const take = Math.min(line.quantity, totalAvailable(slots));
    return {
      productId: product.productId,
      sku: product.sku,
      quantity: line.quantity,
      backordered: line.quantity - take,
      allocations: draw(slots, take, warehouseId),
    };
  });
  return { ok: true, lines: sourced, backorderWarehouseId: sourced.some((l) => l.backordered > 0) ? warehouseId : null };
}

/** One line drawn over a split's warehouses in order, each in v1 location order. */
function drawAcross(line: SourcingLineInput, split: readonly number[], stock: StockByWarehouse): SourcedLine {
  const product = line.product!;
  const allocations: SourcedAllocation[] = [];
  let remaining = line.quantity;
  for (const warehouseId of split) {
    const slots = stock.get(warehouseId)?.get(product.productId) ?? [];
    const take = Math.min(remaining, totalAvailable(slots));
    allocations.push(...draw(slots, take, warehouseId));
    remaining -= take;
  }
  return { productId: product.productId, sku: product.sku, quantity: line.quantity, backordered: 0, allocations };
}

/** Takes `quantity` from the slots in pick order (PICK_FACE, BULK, OVERFLOW; most available; lowest id). */
export function draw(slots: readonly StockAtLocation[], quantity: number, warehouseId: number): SourcedAllocation[] {
  const allocations: SourcedAllocation[] = [];
  let remaining = quantity;
  for (const slot of pickSequence(slots)) {
    if (remaining === 0) break;
    const taken = Math.min(remaining, availableAt(slot));
    allocations.push({ warehouseId, locationId: slot.locationId, quantity: taken });
    remaining -= taken;
  }
  return allocations;
}

/** Available per warehouse and product, from the locked rows; every known warehouse is present, even empty. */
function totalsOf(stock: StockByWarehouse, warehouseIds: readonly number[]): AvailableByWarehouse {
  const totals = new Map<number, Map<number, number>>();
  for (const w of warehouseIds)
    totals.set(w, new Map([...(stock.get(w) ?? new Map<number, readonly StockAtLocation[]>())].map(([p, slots]) => [p, totalAvailable(slots)])));
  return totals;
}

/** The warehouse holding the most units of a sourced order (lowest id on a tie), and every warehouse holding some. */
export function warehousesOf(lines: readonly SourcedLine[], backorderWarehouseId: number | null): { warehouseId: number; warehouseIds: number[] } {
  const units = new Map<number, number>();
  for (const a of lines.flatMap((l) => l.allocations)) units.set(a.warehouseId, (units.get(a.warehouseId) ?? 0) + a.quantity);
  if (backorderWarehouseId !== null && !units.has(backorderWarehouseId)) units.set(backorderWarehouseId, 0);
  const ids = [...units.keys()].sort((a, b) => a - b);
  const warehouseId = ids.reduce((best, w) => (units.get(w)! > units.get(best)! ? w : best), ids[0]!);
  return { warehouseId, warehouseIds: ids };
}
