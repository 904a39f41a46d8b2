import type { DailyScanReport } from './daily-scan';
import { textTable } from '../text-table';

const HEADERS = ['warehouse', 'sku', 'as_of', 'available', 'reorder_point', 'recommended', 'mean/day', 'sd/day', 'lead_days', 'action'] as const;

/** The scan report as a plain aligned text table, for a terminal. */
export function formatScanReport(report: DailyScanReport): string {
  const body = report.rows.map((r) => [
    r.warehouse,
    r.sku,
    r.asOf,
    String(r.available),
    String(r.reorderPoint),
    String(r.recommendedReorderPoint),
    r.demandMean.toFixed(2),
    r.demandStdDev.toFixed(2),
    String(r.leadTimeDays),
    r.poId === null ? r.action : `${r.action} PO ${r.poId}`,
  ]);
  const lines = [
    `demand window ${report.windowDays} days before as_of (warehouse-local days), service level ${report.serviceLevel}`,
    ...textTable(HEADERS, body),
    `purchase orders created: ${report.created}`,
  ];
  if (report.applied.length > 0) lines.push(`reorder points written: ${report.applied.map((a) => `${a.sku} ${a.from} -> ${a.to}`).join(', ')}`);
  return lines.join('\n');
}
