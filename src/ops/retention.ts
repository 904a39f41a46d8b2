import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { pruneInbox, prunePublishedOutbox, pruneSentDeadLetters } from '../db/retention';
import { inboundTopics, topicName } from '../contracts';

const DAY_MS = 86_400_000;
const FIRST_ROUND_AFTER_MS = 60_000;

export interface PruneHorizons {
  /** Inbox rows and sent dead letters older than this go; null: keep them all. */
  replayRecords: Date | null;
  /** Published outbox rows older than this go. */
  outbox: Date;
}

/**
 * What may be pruned, given RETENTION_DAYS and how long Kafka keeps the
 * inbound topics (the longest retention.ms of them; Infinity for -1; null when
 * the broker could not be asked).
 *
 * The inbox and the dead-letter records are what make a replay harmless: a
 * message delivered again finds its eventId (or its offset) and is skipped.
 * They are kept for RETENTION_DAYS, and for longer while Kafka still holds the
 * messages they stand for, so that `replay --to-earliest` never applies an
 * event a second time. When Kafka keeps messages forever, or cannot be asked,
 * they are not pruned at all. A published outbox row is needed by nothing
 * after it is on Kafka (the inbox decides about replays; outbound eventIds are
 * derived from the cause), so it goes after RETENTION_DAYS.
 */
export function pruneHorizons(now: Date, retentionDays: number, topicRetentionMs: number | null): PruneHorizons {
  const own = retentionDays * DAY_MS;
  const replayMs = topicRetentionMs === null || !Number.isFinite(topicRetentionMs) ? null : Math.max(own, topicRetentionMs);
  return { replayRecords: replayMs === null ? null : new Date(now.getTime() - replayMs), outbox: new Date(now.getTime() - own) };
}

/** The longest retention.ms of the inbound topics (Infinity when one keeps messages forever). */
export async function inboundTopicRetentionMs(kafka: Kafka, topicPrefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: inboundTopics.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: topicName(t, topicPrefix), configNames: ['retention.ms'] })),
    });
    let longest = 0;
    for (const resource of resources) {
      const value = resource.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
      const ms = Number(value);
      if (value === undefined || value === null || !Number.isFinite(ms)) throw new Error(`topic ${resource.resourceName}: no readable retention.ms`);
      longest = Math.max(longest, ms < 0 ? Infinity : ms);
    }
    return longest;
  } finally {
    await admin.disconnect();
  }
}

export interface PruneSummary {
  processedEvents: number;
  deadLetters: number;
  outboxEvents: number;
  /** ISO time before which inbox rows and sent dead letters were pruned; null: kept (see reason). */
  replayRecordsBefore: string | null;
  outboxBefore: string;
  keptReason?: string;
}

export interface RetentionOptions {
  db: Db;
  kafka: Kafka;
  topicPrefix: string;
  retentionDays: number;
  logger: Logger;
  /** Tests pin the clock. */
  clock?: () => Date;
}

/** One pruning round: `prune` on the CLI and every RETENTION_PRUNE_INTERVAL_MS in the service. */
export async function pruneRetained(options: RetentionOptions): Promise<PruneSummary> {
  const now = options.clock?.() ?? new Date();
  let topicRetentionMs: number | null = null;
  let keptReason: string | undefined;
  try {
    topicRetentionMs = await inboundTopicRetentionMs(options.kafka, options.topicPrefix);
    if (!Number.isFinite(topicRetentionMs)) keptReason = 'an inbound topic keeps its messages forever (retention.ms=-1): every one of them may be replayed';
  } catch (error) {
    keptReason = 'the broker could not tell how long it keeps the inbound topics';
    options.logger.warn({ err: error }, `retention: ${keptReason}; inbox and dead letters are kept this round`);
  }
  const horizons = pruneHorizons(now, options.retentionDays, topicRetentionMs);
  const outboxEvents = await prunePublishedOutbox(options.db, { before: horizons.outbox });
  const processedEvents = horizons.replayRecords ? await pruneInbox(options.db, { before: horizons.replayRecords }) : 0;
  const deadLetters = horizons.replayRecords ? await pruneSentDeadLetters(options.db, { before: horizons.replayRecords }) : 0;
  const summary: PruneSummary = {
    processedEvents,
    deadLetters,
    outboxEvents,
    replayRecordsBefore: horizons.replayRecords?.toISOString() ?? null,
    outboxBefore: horizons.outbox.toISOString(),
    ...(keptReason ? { keptReason } : {}),
  };
  options.logger.info(summary, 'retention: pruned');
  return summary;
}

/**
 * Runs pruneRetained every intervalMs, never two at once; stop() waits for a
 * round in progress. The first round comes a minute after start (or sooner with
 * a shorter interval): a service restarted more often than the interval, by
 * frequent deploys, must still prune. unref(): the timer alone must not keep a
 * process alive.
 */
export class RetentionSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;

  constructor(
    private readonly options: RetentionOptions,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.arm(Math.min(this.intervalMs, FIRST_ROUND_AFTER_MS));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(delayMs = this.intervalMs): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = pruneRetained(this.options)
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'retention: pruning failed; next attempt at the next interval'))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.arm();
        });
    }, delayMs);
    this.timer.unref();
  }
}
