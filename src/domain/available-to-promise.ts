/** A purchase order's open quantity of one product: ordered minus received, due on a day of its warehouse. */
export interface IncomingSupply {
  poId: number;
  /** YYYY-MM-DD in the warehouse's time zone; null when the PO names no date (it cannot be promised from). */
  expectedDate: string | null;
  quantity: number;
}

export interface PromiseInput {
  quantity: number;
  /** Today in the warehouse's time zone, YYYY-MM-DD. */
  today: string;
  /** On hand minus reserved. */
  available: number;
  /** Units already promised to open backorders: they take stock before any new promise. */
  backordered: number;
  incoming: readonly IncomingSupply[];
}

export type PromiseSource = { type: 'ON_HAND'; quantity: number; date: string } | { type: 'PURCHASE_ORDER'; poId: number; quantity: number; date: string };

export interface AvailableToPromise {
  /** The earliest day on which the whole quantity can be promised, or null when stock and open POs cannot cover it. */
  date: string | null;
  /** Where the units come from, in order; when date is null, as far as they go. */
  sources: PromiseSource[];
}

/**
 * Available-to-promise in one warehouse. Stock that is available now comes
 * first, then purchase orders by expected date (then poId), each after what
 * is already promised: open backorders are served first from what is
 * available and then from the earliest POs, as the service fills them when
 * stock arrives. A PO that is late (expected before today) can still come
 * any moment, so it promises today, not a day in the past. A PO without a
 * date promises nothing.
 */
export function availableToPromise(input: PromiseInput): AvailableToPromise {
  const sources: PromiseSource[] = [];
  let owed = input.backordered;
  let needed = input.quantity;

  const free = Math.max(input.available, 0);
  const toBackorders = Math.min(owed, free);
  owed -= toBackorders;
  const fromStock = Math.min(free - toBackorders, needed);
  if (fromStock > 0) sources.push({ type: 'ON_HAND', quantity: fromStock, date: input.today });
  needed -= fromStock;
  if (needed === 0) return { date: input.today, sources };

  const dated = input.incoming.filter((po): po is IncomingSupply & { expectedDate: string } => po.expectedDate !== null && po.quantity > 0);
  dated.sort((a, b) => (a.expectedDate < b.expectedDate ? -1 : a.expectedDate > b.expectedDate ? 1 : a.poId - b.poId));
  for (const po of dated) {
    const toOwed = Math.min(owed, po.quantity);
    owed -= toOwed;
    const take = Math.min(po.quantity - toOwed, needed);
    if (take === 0) continue;
    const date = po.expectedDate < input.today ? input.today : po.expectedDate;
    sources.push({ type: 'PURCHASE_ORDER', poId: po.poId, quantity: take, date });
    needed -= take;
    if (needed === 0) return { date, sources };
  }
  return { date: null, sources };
}

export interface WarehousePromise extends AvailableToPromise {
  warehouseId: number;
  /** The instant the promised day starts in that warehouse's zone (null with date). */
  startsAt: Date | null;
}

/**
 * Without a named warehouse, the one that can promise earliest: days of
 * different zones compared as the instants they start, lowest warehouseId on
 * a tie; a warehouse that cannot promise at all loses to any that can. Null
 * when there is no candidate.
 */
export function earliestPromise(candidates: readonly WarehousePromise[]): WarehousePromise | null {
  let best: WarehousePromise | null = null;
  for (const c of candidates) {
    if (!best) {
      best = c;
      continue;
    }
    const a = c.startsAt?.getTime() ?? Infinity;
    const b = best.startsAt?.getTime() ?? Infinity;
    if (a < b || (a === b && c.warehouseId < best.warehouseId)) best = c;
  }
  return best;
}
