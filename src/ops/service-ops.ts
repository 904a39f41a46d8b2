import type { Consumer } from 'kafkajs';
import type { Db } from '../db/client';
import { poolOf } from '../db/client';
import { countOpenParked } from '../db/dead-letters';
import { countUnpublishedOutbox } from '../db/outbox';
import type { EventOutcome } from '../event-outcome';
import { ServiceMetrics } from './metrics';
import { CachedCheck, ConsumerHealth, checkDatabase, readinessReport, type ReadinessReport } from './health';
import type { Logger } from '../logger';

export interface ServiceOpsOptions {
  db: Db;
  databaseUrl: string;
  /** Process metrics (CPU, memory, GC) too: the real process only. */
  defaultMetrics?: boolean;
  /** Bound on the readiness database probe and on scrape-time queries. */
  probeTimeoutMs?: number;
  /** How long /readyz answers from the last database probe (one probe at a time however many ask). */
  readinessCacheMs?: number;
  /** Where a failed readiness probe's reason goes (not into the HTTP answer). */
  logger?: Logger;
}

/**
 * Metrics and readiness of one service instance, and the hooks that feed them
 * from the runner and the relay. Kept apart from InventoryService so the
 * service only wires hooks and the ops code stays testable on its own.
 */
export class ServiceOps {
  readonly metrics: ServiceMetrics;
  readonly consumerHealth: ConsumerHealth;
  private readonly probeTimeoutMs: number;
  private readonly database: CachedCheck;
  private lastProbeFailure: string | undefined;

  constructor(private readonly options: ServiceOpsOptions) {
    const { db } = options;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2000;
    this.metrics = new ServiceMetrics(
      {
        outboxBacklog: () => countUnpublishedOutbox(db),
        parkedEvents: () => countOpenParked(db),
        pool: () => {
          const pool = poolOf(db);
          return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
        },
      },
      { defaultMetrics: options.defaultMetrics, collectTimeoutMs: this.probeTimeoutMs },
    );
    this.database = new CachedCheck(
      () => checkDatabase(options.databaseUrl, this.probeTimeoutMs, (error) => this.probeFailed(error)),
      options.readinessCacheMs ?? 1_000,
    );
    // A (re)join may hand this instance other partitions: stale lag figures would lie.
    this.consumerHealth = new ConsumerHealth(30_000, () => this.metrics.resetLag());
  }

  /** EventRunner hooks; afterCommit is what the service itself does after each event (wake the relay). */
  runnerHooks(afterCommit: () => void) {
    return {
      onProcessed: (result: EventOutcome, topic: string, latencyMs: number) => {
        afterCommit();
        this.metrics.eventProcessed(result, topic, latencyMs);
      },
      onRetry: (error: unknown) => this.metrics.retried(error),
      onConsumer: (consumer: Consumer) => this.consumerHealth.watch(consumer),
      onLag: (topic: string, partition: number, lag: number) => this.metrics.consumerLag(topic, partition, lag),
    };
  }

  /** OutboxRelay onPublished. */
  readonly onPublished = (count: number, oldestCreatedAt: Date): void => this.metrics.outboxPublished(count, oldestCreatedAt);

  /** OutboxRelay onParked. */
  readonly onParked = (kind: string): void => this.metrics.relayParked(kind);

  async readiness(): Promise<ReadinessReport> {
    const database = await this.database.check();
    if (database.ok && this.lastProbeFailure !== undefined) {
      this.lastProbeFailure = undefined;
      this.options.logger?.info('readiness: database reachable again');
    }
    return readinessReport({ database, broker: this.consumerHealth.broker(), consumer: this.consumerHealth.consumer() });
  }

  /** Logged when the reason changes, not once a second for as long as an outage lasts. */
  private probeFailed(error: unknown): void {
    const reason = (error as Error).message || String((error as { code?: unknown }).code ?? error);
    if (reason === this.lastProbeFailure) return;
    this.lastProbeFailure = reason;
    this.options.logger?.warn({ err: error }, 'readiness: database probe failed');
  }
}
