import type { Consumer } from 'kafkajs';
import type { Db } from '../db/client';
import { poolOf } from '../db/client';
import type { ProcessResult } from '../event-outcome';
import { ServiceMetrics } from './metrics';
import { ConsumerHealth, checkDatabase, readinessReport, type ReadinessReport } from './health';

export interface ServiceOpsOptions {
  db: Db;
  databaseUrl: string;
  /** Process metrics (CPU, memory, GC) too: the real process only. */
  defaultMetrics?: boolean;
  /** Bound on the readiness database probe and on scrape-time queries. */
  probeTimeoutMs?: number;
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

  constructor(private readonly options: ServiceOpsOptions) {
    const { db } = options;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2000;
    this.metrics = new ServiceMetrics(
      {
        outboxBacklog: async () => {
          const rows = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL AND parked_at IS NULL`;
          return Number(rows[0]?.n ?? 0);
        },
        pool: () => {
          const pool = poolOf(db);
          return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
        },
      },
      { defaultMetrics: options.defaultMetrics, collectTimeoutMs: this.probeTimeoutMs },
    );
    // A (re)join may hand this instance other partitions: stale lag figures would lie.
    this.consumerHealth = new ConsumerHealth(30_000, () => this.metrics.resetLag());
  }

  /** EventRunner hooks; afterCommit is what the service itself does after each event (wake the relay). */
  runnerHooks(afterCommit: () => void) {
    return {
      onProcessed: (result: ProcessResult, topic: string, latencyMs: number) => {
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
    const database = await checkDatabase(this.options.databaseUrl, this.probeTimeoutMs);
    return readinessReport({ database, broker: this.consumerHealth.broker(), consumer: this.consumerHealth.consumer() });
  }
}
