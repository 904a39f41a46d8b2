import { v5 as uuidv5 } from 'uuid';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { decideDailyScan, demandStatistics, recommendedReorderPoint, type NoReplenishmentReason } from '../domain/replenishment';
import { stageEvents } from '../db/outbox';
import { stageLevelChanges } from '../db/level-changes';
import { loadReplenishmentCandidates, loadShippedByDay, scanWarehouses, setReorderPoints, type ReplenishmentCandidate } from '../db/replenishment';
import { createReplenishmentOrder } from './purchase-orders';
import { dailySeries, demandWindow } from './demand-history';
import { addDays, localDate } from '../domain/calendar';

export interface DailyScanOptions {
  /** The clock: "today" per warehouse (unless asOf) and the events' occurredAt. */
  now: Date;
  /** 'YYYY-MM-DD': scan as of this calendar day in every warehouse (tests, backfills). */
  asOf?: string;
  windowDays: number;
  serviceLevel: number;
  /** Write the recommended reorder points to product.reorder_point. */
  apply: boolean;
  logger?: Logger;
}

export interface DailyScanRow {
  warehouseId: number;
  warehouse: string;
  /** The warehouse's "today" the scan ran for; the window is the windowDays before it. */
  asOf: string;
  productId: number;
  sku: string;
  available: number;
  leadTimeDays: number;
  reorderPoint: number;
  demandDays: number;
  demandMean: number;
  demandStdDev: number;
  recommendedReorderPoint: number;
  action: 'CREATED' | NoReplenishmentReason;
  poId: number | null;
}

export interface DailyScanReport {
  windowDays: number;
  serviceLevel: number;
  rows: DailyScanRow[];
  created: number;
  /** Reorder points written by --apply (one per product: the highest warehouse recommendation). */
  applied: { productId: number; sku: string; from: number; to: number }[];
}

// Fixed namespace of the scan's causation ids (UUID v5), distinct from the outbox's.
const DAILY_SCAN_NAMESPACE = '9d3b7c52-5a0e-4f8e-b1c4-2e6f0a7d8b13';

/**
 * The scan's causation id for one warehouse and day. Deterministic, so the
 * PurchaseOrderCreated eventIds of a rerun on the same day are the same ids
 * (outbox.ts derives them from cause, type, warehouse, product and poId).
 */
export function dailyScanCauseId(warehouseId: number, day: string): string {
  return uuidv5(`${warehouseId}|${day}|DAILY_SCAN`, DAILY_SCAN_NAMESPACE);
}

/**
 * The daily scan: reads demand for every auto-replenish product stocked in a
 * warehouse, orders what will run low within two lead times, and reports the
 * statistics with a recommended reorder point.
 *
 * Reads happen outside transactions (a scan may be a little stale; the
 * partial unique index, not the read, guarantees one open PO). Each PO is
 * created in its own short transaction that re-reads that one product first,
 * so a failure or a lost race touches one product, never the rest of the run,
 * and a rerun simply fills in what is missing.
 */
export async function runDailyScan(db: Db, options: DailyScanOptions): Promise<DailyScanReport> {
  const warehouses = await scanWarehouses(db);
  const candidates = await loadReplenishmentCandidates(db, {});
  const rows: DailyScanRow[] = [];
  for (const warehouse of warehouses) {
    const stocked = candidates.filter((c) => c.warehouseId === warehouse.warehouseId);
    if (stocked.length === 0) continue;
    const today = options.asOf ?? localDate(options.now, warehouse.timezone);
    const window = demandWindow(today, options.windowDays);
    const shipped = await loadShippedByDay(
      db,
      warehouse,
      stocked.map((c) => c.productId),
      window,
    );
    for (const candidate of stocked) {
      const stats = demandStatistics(dailySeries(shipped, candidate.productId, window));
      const row: DailyScanRow = {
        warehouseId: warehouse.warehouseId,
        warehouse: warehouse.code,
        asOf: today,
        productId: candidate.productId,
        sku: candidate.sku,
        available: candidate.available,
        leadTimeDays: candidate.leadTimeDays,
        reorderPoint: candidate.reorderPoint,
        demandDays: stats.days,
        demandMean: stats.mean,
        demandStdDev: stats.standardDeviation,
        recommendedReorderPoint: recommendedReorderPoint(stats.mean, stats.standardDeviation, candidate.leadTimeDays, options.serviceLevel),
        action: 'STOCK_SUFFICIENT',
        poId: null,
      };
      const decision = decideDailyScan({
        product: candidate,
        available: candidate.available,
        backordered: candidate.backordered,
        averageDailyDemand: stats.mean,
        hasOpenPurchaseOrder: candidate.hasOpenPurchaseOrder,
      });
      if (decision.create) Object.assign(row, await orderOne(db, candidate, today, stats.mean, options));
      else row.action = decision.why;
      if (row.action === 'NO_SUPPLIER')
        options.logger?.warn({ productId: row.productId, warehouseId: row.warehouseId }, 'daily scan: due for a PO but the product has no supplier');
      rows.push(row);
    }
  }
  const applied = options.apply ? await applyRecommendations(db, rows, candidates, options.now) : [];
  return { windowDays: options.windowDays, serviceLevel: options.serviceLevel, rows, created: rows.filter((r) => r.action === 'CREATED').length, applied };
}

/** One product's PO in its own transaction, decided again on what the transaction reads. */
async function orderOne(
  db: Db,
  candidate: ReplenishmentCandidate,
  today: string,
  averageDailyDemand: number,
  options: DailyScanOptions,
): Promise<Pick<DailyScanRow, 'action' | 'poId' | 'available'>> {
  const { warehouseId, productId } = candidate;
  return db.$transaction(
    async (tx) => {
      const [fresh] = await loadReplenishmentCandidates(tx, { warehouseId, productIds: [productId] });
      if (!fresh) return { action: 'AUTO_REPLENISH_OFF' as const, poId: null, available: candidate.available };
      const decision = decideDailyScan({
        product: fresh,
        available: fresh.available,
        backordered: fresh.backordered,
        averageDailyDemand,
        hasOpenPurchaseOrder: fresh.hasOpenPurchaseOrder,
      });
      if (!decision.create) return { action: decision.why, poId: null, available: fresh.available };
      const event = await createReplenishmentOrder(
        tx,
        {
          productId,
          sku: fresh.sku,
          supplierId: decision.supplierId,
          warehouseId,
          quantity: decision.quantity,
          unitCost: decision.unitCost,
          expectedDate: addDays(today, fresh.leadTimeDays),
          trigger: 'DAILY_SCAN',
        },
        dailyScanCauseId(warehouseId, today),
      );
      // null: another instance or the reorder-point trigger got there first (the unique index said no).
      if (!event) return { action: 'OPEN_PURCHASE_ORDER' as const, poId: null, available: fresh.available };
      const cause = { eventId: dailyScanCauseId(warehouseId, today), correlationId: `daily-scan:${today}` };
      await stageEvents(tx, cause, [event], options.now);
      await stageLevelChanges(tx, cause, options.now);
      return { action: 'CREATED' as const, poId: (event.payload as { poId: number }).poId, available: fresh.available };
    },
    { isolationLevel: 'ReadCommitted', maxWait: 10_000, timeout: 60_000 },
  );
}

/**
 * --apply: reorder_point is one figure per product, checked against each
 * warehouse's own stock, so the product gets its highest warehouse
 * recommendation (the busiest warehouse must not run short). Only for active
 * products with demand in the window: no history says nothing, and writing 0
 * would switch the reorder-point trigger off for a product that is new.
 */
async function applyRecommendations(
  db: Db,
  rows: readonly DailyScanRow[],
  candidates: readonly ReplenishmentCandidate[],
  now: Date,
): Promise<DailyScanReport['applied']> {
  const best = new Map<number, DailyScanRow>();
  for (const row of rows) {
    const active = candidates.some((c) => c.productId === row.productId && c.isActive);
    if (!active || row.demandMean <= 0) continue;
    const current = best.get(row.productId);
    if (!current || row.recommendedReorderPoint > current.recommendedReorderPoint) best.set(row.productId, row);
  }
  const changes = [...best.values()].filter((r) => r.recommendedReorderPoint !== r.reorderPoint);
  if (changes.length > 0) {
    // A new reorder point can move a level's status (LOW_STOCK): its events commit with it.
    await db.$transaction(async (tx) => {
      await setReorderPoints(
        tx,
        changes.map((r) => ({ productId: r.productId, reorderPoint: r.recommendedReorderPoint })),
      );
      await stageLevelChanges(tx, { eventId: null, correlationId: null }, now);
    });
  }
  return changes.map((r) => ({ productId: r.productId, sku: r.sku, from: r.reorderPoint, to: r.recommendedReorderPoint }));
}
