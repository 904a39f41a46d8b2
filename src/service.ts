import type { Kafka, Producer } from 'kafkajs';
import type { Config } from './config';
import type { Logger } from './logger';
import { createDb, type Db } from './db/client';
import { createKafka } from './kafka';
import { checkCompactedTopics, ensureTopics } from './kafka-topics';
import { EventRunner } from '../consumers/pipeline/runner';
import { handlersByType } from '../consumers/registry';
import { inboundTopics } from './contracts';
import { OutboxRelay } from '../producers/outbox-relay';
import { dailyScanSchedule, type DailySchedule } from './replenishment/schedule';
import { HoldSweeper } from './holds/sweeper';
import { ServiceOps } from './ops/service-ops';
import { RetentionSchedule } from './ops/retention';
import type { ReadinessReport } from './ops/health';
import { kafkaRedriver, type DeadLetterRedriver } from './dead-letters/redrive';

export interface ServiceOptions {
  config: Config;
  logger: Logger;
  /** Tests pin the clock (expected dates, demand windows). */
  clock?: () => Date;
  /** Distinguishes instances in one process (tests run several). */
  instanceId?: string;
  /** Process metrics (CPU, memory, GC) in /metrics: main.ts only, not tests running several instances. */
  defaultMetrics?: boolean;
}

/**
 * The running service: consumers, outbox relay and their connections. main.ts
 * adds signals and HTTP; tests start several of these in one process.
 */
export class InventoryService {
  readonly db: Db;
  readonly relay: OutboxRelay;
  readonly runner: EventRunner;
  /** Metrics and readiness (src/ops); main.ts serves them over HTTP. */
  readonly ops: ServiceOps;
  private readonly kafka: Kafka;
  /** Sends redriven dead letters back to their inbound topic (outcomes and dead letters go through the relay's transactions). */
  private readonly redriveProducer: Producer;
  /** DAILY_SCAN_ENABLED: the in-process daily replenishment scan, else null. */
  private readonly dailyScan: DailySchedule | null;
  /** RETENTION_PRUNE_INTERVAL_MS > 0: pruning of the inbox, sent dead letters and published outbox rows. */
  private readonly retention: RetentionSchedule | null;
  /** Releases holds past their holdUntil (every instance sweeps; SKIP LOCKED shares the work). */
  readonly holdSweeper: HoldSweeper;

  constructor(readonly options: ServiceOptions) {
    const { config, logger } = options;
    this.db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
    this.ops = new ServiceOps({
      db: this.db,
      databaseUrl: config.DATABASE_URL,
      defaultMetrics: options.defaultMetrics,
      logger: logger.child({ component: 'readiness' }),
    });
    const kafka = createKafka(config, logger, options.instanceId ? `-${options.instanceId}` : '');
    this.kafka = kafka;
    this.redriveProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.relay = new OutboxRelay({
      databaseUrl: config.OUTBOX_RELAY_DATABASE_URL ?? config.DATABASE_URL,
      kafka,
      transactionalId: config.OUTBOX_RELAY_TRANSACTIONAL_ID ?? `${config.KAFKA_GROUP_ID}-outbox-relay`,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      logger: logger.child({ component: 'outbox-relay' }),
      pollMs: config.OUTBOX_POLL_MS,
      maxBatchBytes: config.OUTBOX_BATCH_MAX_BYTES,
      sessionTimeoutMs: config.OUTBOX_RELAY_SESSION_TIMEOUT_MS,
      onPublished: this.ops.onPublished,
      onParked: this.ops.onParked,
    });
    this.runner = new EventRunner({
      kafka,
      groupId: config.KAFKA_GROUP_ID,
      topics: inboundTopics,
      maxEventsPerTransaction: config.CONSUMER_BATCH_MAX_EVENTS,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      partitionsConsumedConcurrently: config.CONSUMER_PARTITIONS_CONCURRENTLY,
      transactionsInFlight: config.CONSUMER_TRANSACTIONS_IN_FLIGHT,
      deps: {
        db: this.db,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        logger: logger.child({ component: 'consumer' }),
        handlers: handlersByType(),
        settings: { receiptOverTolerancePercent: config.RECEIPT_OVER_TOLERANCE_PERCENT },
        clock: options.clock,
      },
      ...this.ops.runnerHooks(() => this.relay.wake()),
    });
    this.holdSweeper = new HoldSweeper({
      db: this.db,
      logger: logger.child({ component: 'hold-sweeper' }),
      intervalMs: config.HOLD_SWEEP_INTERVAL_MS,
      batchSize: config.HOLD_SWEEP_BATCH_SIZE,
      clock: options.clock,
      onReleased: (count) => {
        this.relay.wake();
        this.ops.metrics.holdsReleased(count);
      },
      onFailed: (error) => this.ops.metrics.holdSweepFailed(error),
    });
    this.dailyScan = dailyScanSchedule({ config, db: this.db, logger, clock: options.clock, onCommitted: () => this.relay.wake() });
    this.retention =
      config.RETENTION_PRUNE_INTERVAL_MS > 0
        ? new RetentionSchedule(
            {
              db: this.db,
              kafka,
              topicPrefix: config.KAFKA_TOPIC_PREFIX,
              retentionDays: config.RETENTION_DAYS,
              logger: logger.child({ component: 'retention' }),
              clock: options.clock,
            },
            config.RETENTION_PRUNE_INTERVAL_MS,
          )
        : null;
  }

  async start(): Promise<void> {
    const { config } = this.options;
    // Either way a compacted topic that exists without compaction is refused (TopicConfigurationError).
    if (config.KAFKA_CREATE_TOPICS) {
      await ensureTopics(this.kafka, config.KAFKA_TOPIC_PREFIX, config.KAFKA_TOPIC_PARTITIONS, config.KAFKA_TOPIC_REPLICATION_FACTOR);
    } else {
      await checkCompactedTopics(this.kafka, config.KAFKA_TOPIC_PREFIX);
    }
    await this.redriveProducer.connect();
    this.relay.start();
    await this.runner.start();
    this.holdSweeper.start();
    this.dailyScan?.start();
    this.retention?.start();
    this.options.logger.info({ topicPrefix: config.KAFKA_TOPIC_PREFIX, groupId: config.KAFKA_GROUP_ID }, 'inventory service started');
  }

  /** Dead-letter redrives for the query API, sent with this instance's producer (connected by start()). */
  get redriver(): DeadLetterRedriver {
    return kafkaRedriver({ db: this.db, producer: this.redriveProducer, clock: this.options.clock });
  }

  /** Database reachable, broker answering, consumer in its group (GET /readyz). */
  readiness(): Promise<ReadinessReport> {
    return this.ops.readiness();
  }

  /** Stop fetching and finish in-flight events (offsets committed), then flush the outbox and disconnect. */
  async stop(): Promise<void> {
    // A scan in progress finishes first; its outbox rows go out with the flush below.
    await this.dailyScan?.stop();
    await this.retention?.stop();
    await this.holdSweeper.stop();
    await this.runner.stop();
    await this.relay.stop();
    await this.redriveProducer.disconnect();
    await this.db.$disconnect();
  }
}
