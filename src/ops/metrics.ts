import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventOutcome } from '../event-outcome';
import { isTransientError } from '../errors';

/** Where the gauges that are read at scrape time get their figures. */
export interface MetricsSources {
  /** Number of outbox rows not yet published (a database query). */
  outboxBacklog?: () => Promise<number>;
  /** Number of events parked and not resolved (a database query). */
  parkedEvents?: () => Promise<number>;
  /** The database pool's connection counts (pg.Pool totalCount / idleCount / waitingCount). */
  pool?: () => { total: number; idle: number; waiting: number } | undefined;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop): on in the real process, off in tests running several instances. */
  defaultMetrics?: boolean;
  /** Upper bound on a scrape-time query, so a database outage does not hang /metrics. */
  collectTimeoutMs?: number;
}

/**
 * The service's Prometheus metrics. One Registry per service instance, never
 * prom-client's global one: tests run several instances in one process, and a
 * global registry would refuse the second registration of every name.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly events: Counter<'topic' | 'event_type' | 'status' | 'outcome'>;
  private readonly latency: Histogram<'topic' | 'status'>;
  private readonly deadLetters: Counter<'code'>;
  private readonly retries: Counter<'transient'>;
  private readonly published: Counter;
  private readonly parked: Counter<'kind'>;
  private readonly publishLatency: Histogram;
  private readonly lag: Gauge<'topic' | 'partition'>;
  private readonly collectErrors: Counter<'source'>;
  private readonly holdsExpired: Counter;
  private readonly holdSweepErrors: Counter<'transient'>;

  constructor(sources: MetricsSources = {}, options: MetricsOptions = {}) {
    const registers = [this.registry];
    const timeoutMs = options.collectTimeoutMs ?? 2000;
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });

    this.events = new Counter({
      name: 'inventory_events_processed_total',
      help: 'Inbound messages processed, by contract topic, eventType, status (APPLIED, DUPLICATE, DEAD_LETTERED) and outcome (the handler outcome, the dead-letter code, or DUPLICATE)',
      labelNames: ['topic', 'event_type', 'status', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'inventory_event_processing_seconds',
      help: 'Time from picking up an inbound message to the commit of the transaction that applied it (the runner applies a run of messages per transaction; retries included)',
      labelNames: ['topic', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'inventory_dead_letters_total',
      help: 'Inbound messages dead-lettered, by dlq-error-code',
      labelNames: ['code'],
      registers,
    });
    this.retries = new Counter({
      name: 'inventory_event_retries_total',
      help: 'Failed processing attempts that are being retried (transient: database/broker fault; false: unexpected error)',
      labelNames: ['transient'],
      registers,
    });
    this.published = new Counter({ name: 'inventory_outbox_published_total', help: 'Outbox rows published to Kafka', registers });
    this.holdsExpired = new Counter({
      name: 'inventory_holds_expired_total',
      help: 'Holds released by this instance because they passed their holdUntil',
      registers,
    });
    this.holdSweepErrors = new Counter({
      name: 'inventory_hold_sweep_errors_total',
      help: 'Hold sweep batches that failed (transient: database fault, retried next sweep; false: a hold that cannot be released, set aside)',
      labelNames: ['transient'],
      registers,
    });
    this.parked = new Counter({
      name: 'inventory_relay_parked_total',
      help: 'Rows the relay will never publish because the broker refuses them even alone (too large), by kind (outbox, dead-letters); they stay in the database with parked_at set',
      labelNames: ['kind'],
      registers,
    });
    this.publishLatency = new Histogram({
      name: 'inventory_outbox_publish_latency_seconds',
      help: 'Age (now - created_at) of the oldest row of each published outbox batch: the worst commit-to-Kafka delay of the batch',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.lag = new Gauge({
      name: 'inventory_consumer_lag',
      help: 'Messages behind the partition end (high watermark - offset - 1), as of the last message processed on that partition by this instance',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.collectErrors = new Counter({
      name: 'inventory_metrics_collect_errors_total',
      help: 'Scrape-time reads that failed or timed out (the gauge keeps its last value; a failure shows from the next scrape)',
      labelNames: ['source'],
      registers,
    });

    const collectErrors = this.collectErrors;
    if (sources.outboxBacklog) {
      const read = sources.outboxBacklog;
      new Gauge({
        name: 'inventory_outbox_backlog',
        help: 'Outbox rows committed but not yet published',
        registers,
        async collect() {
          try {
            this.set(await withTimeout(read(), timeoutMs));
          } catch {
            collectErrors.inc({ source: 'outbox_backlog' });
          }
        },
      });
    }
    if (sources.parkedEvents) {
      const read = sources.parkedEvents;
      new Gauge({
        name: 'inventory_parked_events',
        help: 'Inbound events parked (dead-lettered PARKED after failing with a non-transient error, or held back behind one of their key) and not applied since: an operator must look',
        registers,
        async collect() {
          try {
            this.set(await withTimeout(read(), timeoutMs));
          } catch {
            collectErrors.inc({ source: 'parked_events' });
          }
        },
      });
    }
    if (sources.pool) {
      const read = sources.pool;
      new Gauge({
        name: 'inventory_db_pool_connections',
        help: 'Database pool connections: total (open), idle, waiting (callers queued for a connection)',
        labelNames: ['state'],
        registers,
        collect() {
          const stats = read();
          if (!stats) return;
          this.set({ state: 'total' }, stats.total);
          this.set({ state: 'idle' }, stats.idle);
          this.set({ state: 'waiting' }, stats.waiting);
        },
      });
    }
  }

  /** EventRunner onProcessed: one inbound message committed (or dead-lettered). */
  eventProcessed(result: EventOutcome, topic: string, latencyMs: number): void {
    const outcome = result.status === 'APPLIED' ? result.outcome : result.status === 'DEAD_LETTERED' ? result.code : 'DUPLICATE';
    this.events.inc({ topic, event_type: result.eventType ?? 'unknown', status: result.status, outcome });
    this.latency.observe({ topic, status: result.status }, latencyMs / 1000);
    if (result.status === 'DEAD_LETTERED') this.deadLetters.inc({ code: result.code });
  }

  /** EventRunner onRetry. */
  retried(error: unknown): void {
    this.retries.inc({ transient: String(isTransientError(error)) });
  }

  /** OutboxRelay onPublished. */
  outboxPublished(count: number, oldestCreatedAt: Date, now = Date.now()): void {
    this.published.inc(count);
    this.publishLatency.observe(Math.max(0, now - oldestCreatedAt.getTime()) / 1000);
  }

  /** HoldSweeper onReleased: holds released in one committed batch. */
  holdsReleased(count: number): void {
    this.holdsExpired.inc(count);
  }

  /** HoldSweeper onFailed. */
  holdSweepFailed(error: unknown): void {
    this.holdSweepErrors.inc({ transient: String(isTransientError(error)) });
  }

  /** OutboxRelay onParked. */
  relayParked(kind: string): void {
    this.parked.inc({ kind });
  }

  /** EventRunner onLag, from the batch's high watermark: no extra broker request. */
  consumerLag(topic: string, partition: number, lag: number): void {
    this.lag.set({ topic, partition: String(partition) }, Math.max(0, lag));
  }

  /** After a rebalance this instance may own other partitions: drop figures it no longer updates. */
  resetLag(): void {
    this.lag.reset();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
