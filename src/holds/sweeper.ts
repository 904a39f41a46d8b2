import type { Db } from '../db/client';
import { isTransientError } from '../errors';
import type { Logger } from '../logger';
import { HoldReleaseFailed, releaseExpiredHolds, type ReleasedHold } from './release-expired';

export interface HoldSweeperOptions {
  db: Db;
  logger: Logger;
  /** HOLD_SWEEP_INTERVAL_MS: the pause between the end of one sweep and the start of the next. */
  intervalMs: number;
  /** HOLD_SWEEP_BATCH_SIZE: holds released per transaction. */
  batchSize: number;
  /** Tests pin and advance the clock; the sweeper asks it for "now" at every batch. */
  clock?: () => Date;
  /** After a batch committed (how many holds it released): wake the outbox relay, count them. */
  onReleased?: (count: number) => void;
  /** A batch or a sweep failed (metrics). */
  onFailed?: (error: unknown) => void;
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
   * One sweep: batches until a batch finds fewer than its limit of due holds
   * (or the sweeper is stopping). Returns how many holds it released.
   *
   * A batch that fails for a reason other than a passing fault (a bug, or
   * stock tables that disagree with a reservation) would fail the same way
   * every time and hold up every hold behind it. The sweep then goes on one
   * hold per transaction and sets aside, loudly, each one that still fails:
   * it stays HELD (nothing half-applied) and is tried again next sweep, and
   * the others still expire. A passing fault ends the sweep; the next retries.
   */
  async sweep(): Promise<number> {
    const { db, batchSize, logger } = this.options;
    const setAside = new Set<string>();
    let limit = batchSize;
    let total = 0;
    for (;;) {
      const now = this.options.clock?.() ?? new Date();
      let released: ReleasedHold[];
      try {
        released = await releaseExpiredHolds(db, now, limit, [...setAside]);
      } catch (error) {
        if (!(error instanceof HoldReleaseFailed) || isTransientError(error)) throw error;
        this.options.onFailed?.(error);
        if (error.orderIds.length > 1) limit = 1;
        else {
          setAside.add(error.orderIds[0]!);
          logger.error(
            { err: error.cause, orderId: error.orderIds[0] },
            'this expired hold cannot be released (run reconcile: its reservation and stock rows may disagree); it stays HELD and is tried again at the next sweep',
          );
        }
        continue;
      }
      if (released.length === 0) break;
      total += released.length;
      this.options.onReleased?.(released.length);
      logger.info({ released: released.length, orderIds: released.slice(0, 20).map((r) => r.orderId) }, 'expired holds released');
      if (released.length < limit || this.stopped) break;
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
        this.options.onFailed?.(error);
        const transient = isTransientError(error);
        this.options.logger[transient ? 'warn' : 'error'](
          { err: error, transient },
          'hold sweep failed; the holds still due are tried again at the next sweep',
        );
      })
      .finally(() => {
        this.running = null;
        if (!this.stopped) this.arm(this.options.intervalMs);
      });
  }
}
