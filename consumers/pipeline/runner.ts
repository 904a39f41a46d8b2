import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { topicName, type InboundTopic } from '../../src/contracts';
import { isTransientError } from '../../src/errors';
import { GroupCommit } from './group-commit';
import { OffsetCommits } from './offset-commits';
import { processRecords } from './process-records';
import type { ProcessorDeps } from './types';
import type { ProcessResult } from '../../src/event-outcome';

export interface RunnerOptions {
  kafka: Kafka;
  groupId: string;
  deps: ProcessorDeps;
  /** Contract topic names to consume (each must have handlers in deps.handlersByTopic). */
  topics: readonly InboundTopic[];
  // The limits below come from the configuration (src/config.ts has their defaults).
  /** How long the group waits for a silent member (a killed instance) before giving its partitions to others. */
  sessionTimeoutMs: number;
  /** At most this many messages are applied in one database transaction. */
  maxEventsPerTransaction: number;
  /** Partitions worked on at once by this instance; their runs share transactions (GroupCommit). */
  partitionsConsumedConcurrently: number;
  /** Transactions of one topic at once (GroupCommit). */
  transactionsInFlight: number;
  /** After each database commit: wake the outbox relay, count metrics. */
  onProcessed?: (result: ProcessResult, topic: string, latencyMs: number) => void;
  onRetry?: (error: unknown, attempt: number) => void;
  /** Each new kafkajs consumer, before it connects: readiness listens to its instrumentation events. */
  onConsumer?: (consumer: Consumer) => void;
  /** After each message: messages left behind it on its partition (from the batch's high watermark, no extra request). */
  onLag?: (topic: string, partition: number, lag: number) => void;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Consumes the inbound topics. Messages of one partition are applied in offset
 * order, up to maxEventsPerTransaction of them in one database transaction
 * (processRecords), shared with the runs of other partitions of the topic that
 * are ready at the same time (GroupCommit); their offsets are committed only
 * after that transaction committed, so a crash in between redelivers an event
 * that the inbox then skips. Transient faults are retried here, with backoff,
 * for as long as this consumer still owns the partition: never skipped, never
 * dead-lettered.
 */
export class EventRunner {
  private consumer: Consumer | null = null;
  private readonly prefix: string;
  private readonly maxEvents: number;
  private readonly groupCommit: GroupCommit;
  private readonly offsetCommits = new OffsetCommits();

  constructor(private readonly options: RunnerOptions) {
    this.prefix = options.deps.topicPrefix;
    this.maxEvents = options.maxEventsPerTransaction;
    this.groupCommit = new GroupCommit((records) => processRecords(options.deps, records), this.maxEvents, options.transactionsInFlight);
  }

  get kafkaConsumer(): Consumer | null {
    return this.consumer;
  }

  async start(): Promise<void> {
    const { kafka, groupId, topics } = this.options;
    const sessionTimeout = this.options.sessionTimeoutMs;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout, heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)) });
    this.consumer = consumer;
    this.options.onConsumer?.(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => topicName(t, this.prefix)), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /** Stops fetching, lets the transaction in flight commit and its offsets reach the broker, then leaves the group. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private async processBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const topic = batch.topic.slice(this.prefix.length) as InboundTopic;
    for (let start = 0; start < batch.messages.length; start += this.maxEvents) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + this.maxEvents);
      const started = Date.now();
      const records = chunk.map((message) => ({ topic, partition: batch.partition, message }));
      const results = await this.withRetry(() => this.groupCommit.submit(records), isRunning, isStale, heartbeat);
      if (!results) return; // shutting down or partition lost: these messages come again to whoever owns the partition
      // The database commit is done: wake the relay, count metrics.
      const latencyMs = Date.now() - started;
      for (const result of results) this.options.onProcessed?.(result, topic, latencyMs);
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      // Committed after every transaction, without waiting for the broker's answer:
      // the next fetch need not wait for it. A crash redelivers the runs whose
      // commit had not landed, and the inbox skips them; a commit refused in a
      // rebalance is the same case.
      const committed = this.offsetCommits.commit(commitOffsetsIfNecessary, batch.topic, batch.partition, nextOffset(last)).catch((error: unknown) => {
        this.options.deps.logger.warn({ err: error, topic, partition: batch.partition }, 'offset commit failed; the inbox skips what is redelivered');
      });
      // Stopping: kafkajs leaves the group as soon as this batch returns, so the commit must land first.
      if (!isRunning()) await committed;
      this.options.onLag?.(topic, batch.partition, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n));
      await heartbeat();
    }
  }

  private async withRetry<T>(work: () => Promise<T>, isRunning: () => boolean, isStale: () => boolean, heartbeat: () => Promise<void>): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        // Anything that is not a refusal of the event is retried: an unexpected error
        // stops this partition (loudly, in logs and metrics) rather than losing the event.
        const transient = isTransientError(error);
        this.options.deps.logger[transient ? 'warn' : 'error']({ err: error, attempt, transient }, 'event processing failed; retrying');
        this.options.onRetry?.(error, attempt);
        const delay = Math.min(200 * 2 ** Math.min(attempt - 1, 6), MAX_BACKOFF_MS) * (0.5 + Math.random() / 2);
        await sleep(delay);
        if (!isRunning() || isStale()) return null;
        await heartbeat().catch(() => undefined);
      }
    }
  }
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
