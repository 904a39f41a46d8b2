import type { ReservedLine } from '../src/domain/allocation';
import type { LockedStock } from '../src/db/inventory';
import { applyStockChanges } from '../src/db/inventory';
import { appendLedger, type LedgerEntry } from '../src/db/ledger';
import { createReservations, type NewReservation } from '../src/db/reservations';
import type { Tx } from '../src/db/types';
import type { EventContext } from './handler';

/**
 * The writes of a run of reservations, gathered in memory and written with one
 * statement per table: reserved quantities merged per inventory row (a hot SKU
 * is one UPDATE however many orders took from it), reservation rows, RESERVE
 * ledger rows (each with its own order's eventId).
 */
export class ReservationWrites {
  private readonly reservedByRow = new Map<string, { productId: number; locationId: number; quantity: number }>();
  private readonly reservations: NewReservation[] = [];
  private readonly ledger: LedgerEntry[] = [];
  /** The last event of the run that reserved in each warehouse, and what it touched. */
  private readonly drops = new Map<number, { ctx: EventContext; productIds: Set<number> }>();

  /** Records an order's allocation and marks its units taken in the locked stock the run decides on. */
  reserve(ctx: EventContext, orderId: string, warehouseId: number, lines: readonly ReservedLine[], stock: Map<number, LockedStock[]>): void {
    this.reservations.push({ orderId, warehouseId, eventId: ctx.eventId, lines });
    const drop = this.drops.get(warehouseId) ?? { ctx, productIds: new Set<number>() };
    drop.ctx = ctx;
    for (const line of lines) {
      drop.productIds.add(line.productId);
      for (const { locationId, quantity } of line.allocations) {
        const slot = stock.get(line.productId)!.find((s) => s.locationId === locationId)!;
        slot.reserved += quantity;
        const key = `${line.productId}@${locationId}`;
        const row = this.reservedByRow.get(key) ?? { productId: line.productId, locationId, quantity: 0 };
        row.quantity += quantity;
        this.reservedByRow.set(key, row);
        this.ledger.push({ productId: line.productId, locationId, txnType: 'RESERVE', quantity, referenceType: 'ORDER', referenceId: orderId, eventId: ctx.eventId });
      }
    }
    this.drops.set(warehouseId, drop);
  }

  async flush(tx: Tx, now: Date): Promise<void> {
    if (this.reservations.length === 0) return;
    await applyStockChanges(tx, [...this.reservedByRow.values()].map((r) => ({ productId: r.productId, locationId: r.locationId, onHandDelta: 0, reservedDelta: r.quantity })), now);
    await createReservations(tx, this.reservations, now);
    await appendLedger(tx, null, this.ledger, now);
  }

  /**
   * Where available stock went down, for the reorder-point check. A purchase
   * order it raises is caused by the last order of the run that reserved in
   * that warehouse: the one after which the shortfall is what the check sees.
   */
  availabilityDrops(): { ctx: EventContext; warehouseId: number; productIds: number[] }[] {
    return [...this.drops].map(([warehouseId, d]) => ({ ctx: d.ctx, warehouseId, productIds: [...d.productIds] }));
  }
}
