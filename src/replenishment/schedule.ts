import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { runDailyScan } from './daily-scan';

const DAY_MS = 86_400_000;

/** The first instant strictly after `after` whose UTC time of day is `at` ('HH:MM'). */
export function nextRunAt(after: Date, at: string): Date {
  const [hours, minutes] = at.split(':').map(Number) as [number, number];
  const sameDay = Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), hours, minutes);
  return new Date(sameDay > after.getTime() ? sameDay : sameDay + DAY_MS);
}

/**
 * Runs a job once a day at a UTC time of day with plain setTimeout (a whole
 * cron library for one daily job is not worth a dependency). The timer is
 * re-armed from the slot just run, not from the clock alone: a timer that
 * fires a moment early would otherwise see the same slot still ahead and run
 * twice. unref(): a pending daily timer alone must not keep a process alive.
 */
export class DailySchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private lastSlot = 0;

  constructor(private readonly options: { at: string; run: () => Promise<void>; logger: Logger; clock?: () => Date }) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.arm();
  }

  /** Clears the timer and waits for a run in progress (it finishes; it is never cut off mid-way). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(): void {
    const now = (this.options.clock?.() ?? new Date()).getTime();
    const slot = nextRunAt(new Date(Math.max(now, this.lastSlot)), this.options.at).getTime();
    this.timer = setTimeout(() => this.fire(slot), slot - now);
    this.timer.unref();
    this.options.logger.info({ nextRunAt: new Date(slot).toISOString() }, 'daily scan scheduled');
  }

  private fire(slot: number): void {
    this.timer = null;
    this.lastSlot = slot;
    this.running = this.options
      .run()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'daily scan failed; next attempt at the next slot (or run `replenish` by hand)'))
      .finally(() => {
        this.running = null;
        if (!this.stopped) this.arm();
      });
  }
}

/**
 * The service's in-process scan (DAILY_SCAN_ENABLED), or null when off. Every
 * instance may run it at the same minute: the unique index still allows one
 * open PO per product and warehouse. It creates POs only; writing reorder
 * points (--apply) stays an operator's decision.
 */
export function dailyScanSchedule(deps: { config: Config; db: Db; logger: Logger; clock?: () => Date; onCommitted: () => void }): DailySchedule | null {
  const { config, db, clock } = deps;
  if (!config.DAILY_SCAN_ENABLED) return null;
  const logger = deps.logger.child({ component: 'daily-scan' });
  return new DailySchedule({
    at: config.DAILY_SCAN_AT,
    clock,
    logger,
    run: async () => {
      const report = await runDailyScan(db, {
        now: clock?.() ?? new Date(),
        windowDays: config.REPLENISH_DEMAND_WINDOW_DAYS,
        serviceLevel: config.REPLENISH_SERVICE_LEVEL,
        apply: false,
        logger,
      });
      deps.onCommitted();
      logger.info({ scanned: report.rows.length, created: report.created }, 'daily scan finished');
    },
  });
}
