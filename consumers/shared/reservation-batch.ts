import type { ReservedLine } from '../../src/domain/allocation';
import { availableAt } from '../../src/domain/pick-sequence';
import { belowReorderPoint } from '../../src/domain/replenishment';
import type { LockedStock } from '../../src/db/inventory';
import type { ProductRow } from '../../src/db/products';
import { writeReservations, type NewReservation, type ReservedRow } from '../../src/db/reservations';
import type { Tx } from '../../src/db/types';
import type { EventContext } from '../../src/transaction-context';

type WarehouseStock = Map<number, LockedStock[]>;

/**
 * The writes of a run of reservations, gathered in memory while the run's
 * inventory rows are locked, then written in one statement (writeReservations).
 * It also keeps the locked rows up to date, so each order of the run sees
 * what the orders before it took.
 */
export class ReservationBatch {
  private readonly reservedByRow = new Map<string, ReservedRow>();
  private readonly reservations: NewReservation[] = [];
  /** Per warehouse: its locked stock, the products reserved there, and the last event of the run that did. */
  private readonly touched = new Map<number, { ctx: EventContext; stock: WarehouseStock; productIds: Set<number> }>();

  reserve(ctx: EventContext, orderId: string, warehouseId: number, lines: readonly ReservedLine[], stock: WarehouseStock): void {
    this.reservations.push({ orderId, warehouseId, eventId: ctx.eventId, lines });
    const touched = this.touched.get(warehouseId) ?? { ctx, stock, productIds: new Set<number>() };
    touched.ctx = ctx;
    for (const line of lines) {
      touched.productIds.add(line.productId);
      for (const { locationId, quantity } of line.allocations) {
        stock.get(line.productId)!.find((s) => s.locationId === locationId)!.reserved += quantity;
        const key = `${line.productId}@${locationId}`;
        const row = this.reservedByRow.get(key) ?? { productId: line.productId, locationId, quantity: 0 };
        row.quantity += quantity;
        this.reservedByRow.set(key, row);
      }
    }
    this.touched.set(warehouseId, touched);
  }

  async flush(tx: Tx, now: Date): Promise<void> {
    await writeReservations(tx, this.reservations, [...this.reservedByRow.values()], now);
  }

  /**
   * The products that may need a purchase order: auto-replenished, active, and
   * now below their reorder point in the warehouse. The locked rows are every
   * row of the product there, so their sum is exact and no query is needed for
   * the rest. A purchase order is caused by the last order of the run that
   * reserved in that warehouse: the one after which the shortfall is seen.
   */
  replenishmentChecks(products: ReadonlyMap<number, ProductRow>): { ctx: EventContext; warehouseId: number; productIds: number[] }[] {
    return [...this.touched].flatMap(([warehouseId, { ctx, stock, productIds }]) => {
      const low = [...productIds].filter((id) => {
        const product = products.get(id);
        const available = (stock.get(id) ?? []).reduce((sum, slot) => sum + availableAt(slot), 0);
        return product?.autoReplenish && product.isActive && belowReorderPoint(available, product.reorderPoint);
      });
      return low.length > 0 ? [{ ctx, warehouseId, productIds: low }] : [];
    });
  }
}
