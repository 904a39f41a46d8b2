import type { Db } from '../db/client';
import { isTransientError } from '../errors';
import type { Logger } from '../logger';
import { releaseExpiredHolds } from './release-expired';

export interface HoldSweeperOptions {
  db: Db;
  logger: Logger;
  /** HOLD_SWEEP_INTERVAL_MS: the pause between the end of one sweep and the start of the next. */
  intervalMs: number;
  /** HOLD_SWEEP_BATCH_SIZE: holds released per transaction. */
  batchSize: number;
  /** Tests pin and advance the clock; the sweeper asks it for "now" at every batch. */
  clock?: () => Date;
  /** After a batch committed: wake the outbox relay. */
  onReleased?: () => void;
}

/**
 * Releases holds past their deadline, on every instance at once: batches lock
 * their holds with SKIP LOCKED, so concurrent sweeps share the due holds and
 * never release one twice (no leader to elect, and no instance is special).
 * The first sweep runs at start (holds that expired while the service was down
 * go at once), then one every intervalMs after the last ended, so sweeps of
 * one instance never overlap. A failed sweep is logged and tried again at the
 * next tick: the holds it did not release are still HELD, so nothing is lost.
 */
export class HoldSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly options: HoldSweeperOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.arm(0);
  }

  /** No new sweep starts; a batch in progress finishes (its transaction is never cut off). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One sweep: batches until a batch finds fewer than batchSize due holds (or
   * the sweeper is stopping). Returns how many holds it released.
   */
  async sweep(): Promise<number> {
    const { db, batchSize, logger } = this.options;
    let total = 0;
    for (;;) {
      const now = this.options.clock?.() ?? new Date();
      const released = await releaseExpiredHolds(db, now, batchSize);
      if (released.length === 0) break;
      total += released.length;
      this.options.onReleased?.();
      logger.info({ released: released.length, orderIds: released.slice(0, 20).map((r) => r.orderId) }, 'expired holds released');
      if (released.length < batchSize || this.stopped) break;
    }
    return total;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.fire(), delayMs);
    // A pending sweep alone must not keep a process alive.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    this.running = this.sweep()
      .then(() => undefined)
      .catch((error: unknown) => {
        const transient = isTransientError(error);
        this.options.logger[transient ? 'warn' : 'error']({ err: error, transient }, 'hold sweep failed; the holds still due are tried again at the next sweep');
      })
      .finally(() => {
        this.running = null;
        if (!this.stopped) this.arm(this.options.intervalMs);
      });
  }
}
