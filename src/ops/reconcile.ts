import type { Db } from '../db/client';
import { stockReconciliationRows } from '../db/reconcile';
import { textTable } from '../text-table';
import { checkBackorders, type BackorderViolation } from './reconcile-backorders';

/**
 * Recomputes stock from its sources of truth and compares it with `inventory`:
 * on hand = sum of RECEIVE/SHIP/ADJUST/TRANSFER ledger rows, reserved = sum of
 * what reservations still hold (quantity - shipped - released), per (product,
 * location). One SQL statement (src/db/reconcile.ts), so it sees one snapshot
 * and can run while the service works: every event's stock, ledger and
 * reservation rows commit together.
 */
export interface StockPlace {
  productId: number;
  sku: string;
  locationId: number;
  warehouse: string;
  /** aisle-bay-level-bin */
  location: string;
}

export interface DriftRow extends StockPlace {
  /** False when the ledger or reservations name a place that has no inventory row. */
  inventoryRow: boolean;
  onHand: number;
  ledgerOnHand: number;
  /** onHand - ledgerOnHand */
  onHandDrift: number;
  reserved: number;
  openReserved: number;
  /** reserved - openReserved */
  reservedDrift: number;
}

export type InvariantCheck = 'RESERVED_EXCEEDS_ON_HAND' | 'NEGATIVE_STOCK' | 'NON_ZERO_WITHOUT_LEDGER';

export interface Violation extends StockPlace {
  check: InvariantCheck;
  detail: string;
}

export interface ReconcileReport {
  clean: boolean;
  /** (product, location) places looked at. */
  checked: number;
  drift: DriftRow[];
  violations: Violation[];
  /** Contract v2: broken backorders; present only when there is one (so a v1 report keeps its shape). */
  backorders?: BackorderViolation[];
}

export async function reconcile(db: Db): Promise<ReconcileReport> {
  const rows = await stockReconciliationRows(db);

  const drift: DriftRow[] = [];
  const violations: Violation[] = [];
  for (const r of rows) {
    const place: StockPlace = { productId: r.product_id, sku: r.sku, locationId: r.location_id, warehouse: r.warehouse, location: r.location };
    const onHand = Number(r.on_hand);
    const reserved = Number(r.reserved);
    const ledgerOnHand = Number(r.ledger_on_hand);
    const openReserved = Number(r.open_reserved);
    if (onHand !== ledgerOnHand || reserved !== openReserved) {
      drift.push({
        ...place,
        inventoryRow: r.has_inventory,
        onHand,
        ledgerOnHand,
        onHandDrift: onHand - ledgerOnHand,
        reserved,
        openReserved,
        reservedDrift: reserved - openReserved,
      });
    }
    // The CHECK constraints forbid the first two in inventory; they are checked
    // anyway (a constraint can be dropped) and against the ledger's figures too.
    // Measured against max(on hand, 0): a negative on hand is reported once, as NEGATIVE_STOCK.
    if (reserved > Math.max(onHand, 0)) violations.push({ ...place, check: 'RESERVED_EXCEEDS_ON_HAND', detail: `reserved ${reserved} > on hand ${onHand}` });
    const negatives = [
      ['on hand', onHand],
      ['reserved', reserved],
      ['ledger on hand', ledgerOnHand],
      ['open reservations', openReserved],
    ].filter(([, v]) => (v as number) < 0);
    if (negatives.length) violations.push({ ...place, check: 'NEGATIVE_STOCK', detail: negatives.map(([k, v]) => `${k} ${v}`).join(', ') });
    if (r.has_inventory && r.ledger_rows === 0n && (onHand !== 0 || reserved !== 0)) {
      violations.push({ ...place, check: 'NON_ZERO_WITHOUT_LEDGER', detail: `on hand ${onHand}, reserved ${reserved} with no ledger row` });
    }
  }
  const backorders = await checkBackorders(db);
  const report: ReconcileReport = { clean: drift.length === 0 && violations.length === 0 && backorders.length === 0, checked: rows.length, drift, violations };
  if (backorders.length > 0) report.backorders = backorders;
  return report;
}

/** Human-readable report lines (the CLI's default output). */
export function formatReport(report: ReconcileReport): string[] {
  if (report.clean) return [`clean: ${report.checked} (product, location) places agree with the ledger and reservations`];
  const lines: string[] = [];
  if (report.drift.length) {
    lines.push(`drift in ${report.drift.length} of ${report.checked} places:`);
    lines.push(
      ...textTable(
        ['sku', 'product', 'warehouse', 'location', 'on_hand', 'ledger', 'diff', 'reserved', 'open_resv', 'diff'],
        report.drift.map((d) => [
          d.sku,
          String(d.productId),
          d.warehouse,
          `${d.location}${d.inventoryRow ? '' : ' (no inventory row)'}`,
          String(d.onHand),
          String(d.ledgerOnHand),
          signed(d.onHandDrift),
          String(d.reserved),
          String(d.openReserved),
          signed(d.reservedDrift),
        ]),
        '  ',
      ),
    );
  }
  if (report.violations.length) {
    lines.push(`${report.violations.length} invariant violation(s):`);
    lines.push(
      ...textTable(
        ['check', 'sku', 'warehouse', 'location', 'detail'],
        report.violations.map((v) => [v.check, v.sku, v.warehouse, v.location, v.detail]),
        '  ',
      ),
    );
  }
  if (report.backorders?.length) {
    lines.push(`${report.backorders.length} backorder violation(s):`);
    lines.push(
      ...textTable(
        ['check', 'order', 'sku', 'warehouse', 'detail'],
        report.backorders.map((b) => [b.check, b.orderId, b.sku, b.warehouse, b.detail]),
        '  ',
      ),
    );
  }
  return lines;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
