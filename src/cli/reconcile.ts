import { createDb } from '../db/client';
import { formatReport, reconcile } from '../ops/reconcile';
import { parseOptions, type CliCommand } from './command';

/**
 * `reconcile`: stock against the ledger and reservations, plus the database
 * invariants. Exit 0 when clean, 1 when there is drift or a violation (so a
 * cron job or CI step fails on it), 2 for a wrong call.
 */
export const reconcileCommand: CliCommand = {
  name: 'reconcile',
  summary: 'recompute stock from the ledger and reservations, report drift (exit 1 when any)',
  usage: 'reconcile [--json]\n  --json  one JSON object { clean, checked, drift[], violations[] } instead of tables',
  needsConfig: true,
  async run(args, { config, out }) {
    const json = parseOptions(args, { json: { type: 'boolean' } }).json ?? false;
    const db = createDb(config!.DATABASE_URL, 1);
    try {
      const report = await reconcile(db);
      if (json) out(JSON.stringify(report));
      else for (const line of formatReport(report)) out(line);
      return report.clean ? 0 : 1;
    } finally {
      await db.$disconnect();
    }
  },
};
