import { createDb } from '../db/client';
import { runDailyScan } from '../replenishment/daily-scan';
import { addDays } from '../domain/calendar';
import { formatScanReport } from '../replenishment/report-table';
import { parseOptions, type CliCommand } from './command';
import { UsageError } from '../errors';

export const replenishCommand: CliCommand = {
  name: 'replenish',
  summary: 'daily replenishment scan: create due purchase orders (DAILY_SCAN), report demand and recommended reorder points',
  usage: 'replenish [--as-of YYYY-MM-DD] [--window-days N] [--service-level P] [--apply] [--json]',
  needsConfig: true,
  async run(args, { config, logger, out }) {
    const options = replenishOptions(args);
    const db = createDb(config!.DATABASE_URL, 2);
    try {
      const report = await runDailyScan(db, {
        now: new Date(),
        asOf: options.asOf,
        windowDays: options.windowDays ?? config!.REPLENISH_DEMAND_WINDOW_DAYS,
        serviceLevel: options.serviceLevel ?? config!.REPLENISH_SERVICE_LEVEL,
        apply: options.apply,
        logger,
      });
      out(options.json ? JSON.stringify(report, null, 2) : formatScanReport(report));
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};

function replenishOptions(args: string[]): { asOf?: string; windowDays?: number; serviceLevel?: number; apply: boolean; json: boolean } {
  const values = parseOptions(args, {
    'as-of': { type: 'string' },
    'window-days': { type: 'string' },
    'service-level': { type: 'string' },
    apply: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const asOf = values['as-of'];
  // Round-tripping through addDays refuses 2026-02-30 as well as a wrong shape.
  if (asOf !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(asOf) && addDays(asOf, 0) === asOf))
    throw new UsageError(`--as-of must be a date YYYY-MM-DD, got "${asOf}"`);
  const windowDays = values['window-days'] === undefined ? undefined : Number(values['window-days']);
  if (windowDays !== undefined && !(Number.isInteger(windowDays) && windowDays >= 1 && windowDays <= 365))
    throw new UsageError('--window-days must be a whole number of days from 1 to 365');
  const serviceLevel = values['service-level'] === undefined ? undefined : Number(values['service-level']);
  // The same range as REPLENISH_SERVICE_LEVEL: below 0.5 the safety stock turns negative.
  if (serviceLevel !== undefined && !(serviceLevel > 0.5 && serviceLevel < 1))
    throw new UsageError('--service-level must be a probability above 0.5 and below 1, e.g. 0.95');
  return { asOf, windowDays, serviceLevel, apply: values.apply ?? false, json: values.json ?? false };
}
