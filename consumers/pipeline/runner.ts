import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { topicName, type InboundTopic } from '../../src/contracts';
import { isTransientError } from '../../src/errors';
import { GroupCommit } from './group-commit';
import { OffsetCommits } from './offset-commits';
import { parkRecord, processRecords } from './process-records';
import type { InboundRecord, ProcessorDeps } from './types';
import type { EventOutcome } from '../../src/event-outcome';

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
  onProcessed?: (result: EventOutcome, topic: string, latencyMs: number) => void;
  onRetry?: (error: unknown, attempt: number) => void;
  /** Each new kafkajs consumer, before it connects: readiness listens to its instrumentation events. */
  onConsumer?: (consumer: Consumer) => void;
  /** After each message: messages left behind it on its partition (from the batch's high watermark, no extra request). */
  onLag?: (topic: string, partition: number, lag: number) => void;
}

const MAX_BACKOFF_MS = 10_000;
/** Failures of a run with the same kind of error that is not transient before its messages are tried one at a time, and one that still fails is parked. */
const NON_TRANSIENT_ATTEMPTS = 3;
/** A retry's pause is cut into slices of at most this, with a heartbeat after each: a rebalance is noticed within about one slice. */
const PAUSE_SLICE_MS = 1_000;
/** Heartbeat answers that mean "the group is rebalancing, or has moved on without this member": let go at once. */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

type Attempt<T> = { status: 'done'; value: T } | { status: 'failed'; error: unknown } | { status: 'stopped' };
type BatchControl = Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>;

/**
 * Consumes the inbound topics. Messages of one partition are applied in offset
 * order, up to maxEventsPerTransaction of them in one database transaction
 * (processRecords), shared with the runs of other partitions of the topic that
 * are ready at the same time (GroupCommit); their offsets are committed only
 * after that transaction committed, so a crash in between redelivers an event
 * that the inbox then skips. Transient faults are retried here, with backoff,
 * for as long as this consumer still owns the partition: never skipped, never
 * dead-lettered. A failure that is not transient is retried a few times, then
 * the run's messages one at a time, and a message that still fails is parked
 * (consumers/pipeline/parking.ts): one bad event never stalls the instance.
 * Between attempts the heartbeat runs; when it says the group is rebalancing,
 * the error goes up to kafkajs, which rejoins at once: the messages not
 * committed come again to whoever owns the partition next.
 */
export class EventRunner {
  private consumer: Consumer | null = null;
  private readonly prefix: string;
  private readonly maxEvents: number;
  private readonly groupCommit: GroupCommit;
  private readonly offsetCommits = new OffsetCommits();
  private heartbeatIntervalMs = 1_000;

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
    this.heartbeatIntervalMs = Math.max(500, Math.floor(sessionTimeout / 10));
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout, heartbeatInterval: this.heartbeatIntervalMs });
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
      const results = await this.keepingAlive(this.applyChunk(records, { heartbeat, isRunning, isStale }), heartbeat);
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

  /**
   * Heartbeats while `work` runs. kafkajs heartbeats only when it is asked to,
   * between batches; a chunk that takes long (a poison event found among many
   * in a failed group-commit transaction, a transient fault retried) would let
   * the session expire, the group would go on without this member, and the
   * next owner would do the same work again. A rebalance signalled meanwhile is
   * seen by the heartbeat after the chunk, which hands it to kafkajs.
   */
  private async keepingAlive<T>(work: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
    const timer = setInterval(() => {
      heartbeat().catch((error: unknown) => {
        if (!REBALANCE_ERRORS.has((error as { type?: string }).type ?? '')) this.options.deps.logger.warn({ err: error }, 'heartbeat failed while processing');
      });
    }, this.heartbeatIntervalMs);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  /** The results of a chunk, in order; null when this consumer lets go of it (stopping, or the partition moves). */
  private async applyChunk(records: readonly InboundRecord[], control: BatchControl): Promise<EventOutcome[] | null> {
    const together = await this.withRetry(() => this.groupCommit.submit(records), control);
    if (together.status !== 'failed') return together.status === 'done' ? together.value : null;
    // Not transient and not isolated inside the pipeline (it parks a lone event that fails in its own transaction):
    // find the message it comes from, one at a time, outside the group commit.
    const { deps } = this.options;
    deps.logger.error(
      { err: together.error, topic: records[0]!.topic, partition: records[0]!.partition, messages: records.length },
      'a run keeps failing with an error that is not transient; applying its messages one at a time',
    );
    const results: EventOutcome[] = [];
    for (const record of records) {
      const alone = await this.withRetry(() => processRecords(deps, [record]), control);
      if (alone.status === 'stopped') return null;
      if (alone.status === 'done') {
        results.push(alone.value[0]!);
        continue;
      }
      // Parking writes and sends a dead letter: only transient faults can stop it, and those are retried.
      const parked = await this.withRetry(() => parkRecord(deps, record, alone.error, NON_TRANSIENT_ATTEMPTS), control, Infinity);
      if (parked.status !== 'done') return null;
      results.push(parked.value);
    }
    return results;
  }

  /**
   * Runs `work` until it succeeds: transient faults for as long as this
   * consumer owns the partition, others up to `attempts` times (then
   * 'failed'). 'stopped' when the consumer stops or the partition was sought.
   * Throws the heartbeat's rebalance error, for kafkajs to rejoin the group.
   */
  private async withRetry<T>(work: () => Promise<T>, control: BatchControl, attempts = NON_TRANSIENT_ATTEMPTS): Promise<Attempt<T>> {
    for (let attempt = 1, failures = 0; ; attempt++) {
      try {
        return { status: 'done', value: await work() };
      } catch (error) {
        const transient = isTransientError(error);
        this.options.deps.logger[transient ? 'warn' : 'error']({ err: error, attempt, transient }, 'event processing failed; retrying');
        this.options.onRetry?.(error, attempt);
        if (!transient && ++failures >= attempts) return { status: 'failed', error };
        const delay = Math.min(200 * 2 ** Math.min(attempt - 1, 6), MAX_BACKOFF_MS) * (0.5 + Math.random() / 2);
        if (!(await this.pause(delay, control))) return { status: 'stopped' };
      }
    }
  }

  /** Waits `ms`, heartbeating; false when the consumer stops or the partition was sought meanwhile. */
  private async pause(ms: number, { heartbeat, isRunning, isStale }: BatchControl): Promise<boolean> {
    for (let left = ms; left > 0; left -= PAUSE_SLICE_MS) {
      await sleep(Math.min(left, PAUSE_SLICE_MS));
      if (!isRunning() || isStale()) return false;
      try {
        await heartbeat();
      } catch (error) {
        // The group is rebalancing (or went on without us): up to kafkajs, which rejoins; holding on
        // here would hold the whole group's rebalance for its timeout.
        if (REBALANCE_ERRORS.has((error as { type?: string }).type ?? '')) throw error;
        // Anything else (the broker away): the session may survive it; the next heartbeat tells.
        this.options.deps.logger.warn({ err: error }, 'heartbeat failed while retrying');
      }
    }
    return isRunning() && !isStale();
  }
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
