import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { ConfigResourceTypes, Kafka, logLevel, type Consumer, type Message, type Producer } from 'kafkajs';
import { topicName, topics } from '../src/contracts';
import { ensureTopics } from '../src/kafka-topics';
import { createDb } from '../src/db/client';
import { reconcile } from '../src/ops/reconcile';
import type { BenchOrder } from './baseline';
import { cpuBetween, cpuSnapshot, type CpuSnapshot } from './cpu';
import { summarizeProfiles, type ProfileShare } from './profile';
import { profileDir, ServiceProcess, statementStats, type ServiceProcessOptions, type StatementSummary } from './service-process';
import { summarizeLatencies, type LatencySummary } from './stats';
import { freePort, measureReads, type ReadPhaseResult } from './read-phase';

export interface ServiceRunOptions extends ServiceProcessOptions {
  instances: number;
  /** Throughput phase: produced before the service starts. */
  orders: readonly BenchOrder[];
  /** Latency phase: the i-th paced order. */
  latencyOrder: (i: number) => BenchOrder;
  /** Paced rate (events/s); default half the throughput just measured. */
  latencyRate?: number;
  latencySeconds: number;
  /** A second latency phase at this rate (events/s), after the first; 0 or the first's rate: none. */
  fixedRate: number;
  /** Read phase (GET /v1/availability): requests/s and seconds; 0 seconds skips it. */
  readRate: number;
  readSeconds: number;
  readSkus: readonly string[];
  seed: number;
  log: (line: string) => void;
}

/** The read phase: reads alone, then reads while the write path runs at the latency phase's rate. */
export interface ReadResult {
  alone: ReadPhaseResult;
  withWrites: ReadPhaseResult;
  /** The write path during the reads: paced events/s, outcomes/s seen, events without outcome when pacing stopped, latency. */
  writes: { rate: number; sent: number; outcomesPerSecond: number; backlogAtEnd: number; latency: LatencySummary };
}

export interface ServiceResult {
  instances: number;
  events: number;
  /** Spawn of the processes to the first outcome read. */
  startupMs: number;
  /** First outcome to the Nth outcome read on inventory-events. */
  elapsedMs: number;
  eventsPerSecond: number;
  /** Between the 10% and the 90% outcome: without start-up and group rebalances. */
  steadyEventsPerSecond: number;
  /** Events per transaction in the throughput phase (its transactions, from the query counter); NaN without counts. */
  throughputEventsPerTransaction: number;
  /** backlog: paced events without an outcome yet when pacing stopped (growing = the service did not keep up). */
  /** occurredAt to readable on inventory-events (the broker's append time); `readByBench`: to read by the bench's own consumer. */
  latency: {
    rate: number;
    seconds: number;
    sent: number;
    backlogAtEnd: number;
    p50LastQuarter: number;
    readByBench: LatencySummary;
    stages: LatencyStages;
    /** When pacing started and ended (ms since the epoch). */
    window: { from: number; to: number };
    /** Wall time of the service's transactions that committed while pacing (BEGIN to COMMIT, from the query counter). */
    transactions: LatencySummary | null;
  } & LatencySummary;
  /** The second latency phase, at the fixed rate (null when there was none). */
  fixedRate: ServiceResult['latency'] | null;
  /** Throughput phase, first to Nth outcome: whole machine busy (of all cores), broker CPU per event. */
  cpu: { machineBusyPercent: number; brokerMsPerEvent: number | null; latencyPhaseMachineBusyPercent: number };
  outcomes: Record<string, number>;
  check: { ok: boolean; reservedSum: number; stockReserved: number; driftRows: number; processedEvents: number; deadLetters: number; purchaseOrders: number };
  /** From the query counter preloaded into each service process. */
  statements: StatementSummary | null;
  /** --profile: service CPU by package, ms per event (start-up included). */
  profile: ProfileShare[] | null;
  reads: ReadResult | null;
}

/**
 * Where a paced event's latency went, from clocks of one machine: sent -> the
 * service's transaction started (the outcome's occurredAt: waiting in Kafka and
 * for the transaction in flight), -> the outcome became readable on
 * inventory-events (the record's LogAppendTime: the transaction, its commit
 * and the outbox relay), -> read by the bench's consumer.
 */
export interface LatencyStages {
  toTransaction: LatencySummary;
  toReadable: LatencySummary;
  toRead: LatencySummary;
}

const PRODUCE_BATCH = 1_000;
const STALL_MS = 120_000;

/**
 * One service measurement on a fresh database and fresh topics:
 *  1. throughput: N OrderPlaced events are produced to `orders` first, then
 *     the service processes start; events/s from the first outcome read on
 *     inventory-events to the Nth;
 *  2. latency: with the service caught up, events are produced at a fixed
 *     rate (occurredAt = send time) and each one's latency is the time from
 *     occurredAt to its outcome (matched by causationId) being read here.
 * The service runs as `instances` child processes of one consumer group,
 * exactly as `npm start` runs it.
 */
export async function runService(opts: ServiceRunOptions): Promise<ServiceResult> {
  const kafka = new Kafka({ clientId: `bench-${opts.prefix}`, brokers: opts.brokers, logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, opts.prefix, opts.partitions, 1);
  await stampOnAppend(kafka, topicName(topics.inventoryEvents, opts.prefix));
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const outcomes = new OutcomeReader(kafka, topicName(topics.inventoryEvents, opts.prefix));
  const services: ServiceProcess[] = [];
  const apiPorts = await Promise.all(Array.from({ length: opts.instances }, () => freePort()));
  try {
    await outcomes.start(`${opts.prefix}bench-outcomes`);
    const t0 = Date.now();
    await produceAll(producer, opts.prefix, opts.orders);
    opts.log(`    produced ${opts.orders.length} events in ${((Date.now() - t0) / 1000).toFixed(1)} s; starting ${opts.instances} service process(es)`);

    const spawnedAt = Date.now();
    for (let i = 0; i < opts.instances; i++) services.push(new ServiceProcess({ ...opts, apiPorts }, i + 1));
    const n = opts.orders.length;
    let firstCpu: CpuSnapshot | null = null;
    await waitForOutcomes(outcomes, n, services, opts.log, () => (firstCpu = cpuSnapshot()));
    const cpu = { ...cpuBetween(firstCpu ?? cpuSnapshot(), cpuSnapshot(), n), latencyPhaseMachineBusyPercent: Number.NaN };
    const times = outcomes.times;
    const first = times[0]!;
    const elapsedMs = Math.max(1, times[n - 1]! - first);
    const lo = Math.floor(n * 0.1);
    const hi = Math.max(lo + 1, Math.floor(n * 0.9) - 1);
    const eventsPerSecond = n / (elapsedMs / 1000);
    const steadyEventsPerSecond = (hi - lo) / (Math.max(1, times[hi]! - times[lo]!) / 1000);
    opts.log(
      `    throughput: ${eventsPerSecond.toFixed(0)} events/s (steady ${steadyEventsPerSecond.toFixed(0)}), first outcome ${((first - spawnedAt) / 1000).toFixed(1)} s after spawn`,
    );

    const rate = Math.max(1, Math.round(opts.latencyRate ?? eventsPerSecond / 2));
    opts.log(`    latency phase: ${rate} events/s for ${opts.latencySeconds} s`);
    const pacedCpu = cpuSnapshot();
    let sent = 0;
    const latency = await pacedPhase(producer, opts, outcomes, services, rate, sent, n);
    sent += latency.sent;
    cpu.latencyPhaseMachineBusyPercent = cpuBetween(pacedCpu, cpuSnapshot(), 1).machineBusyPercent;
    let fixedRate: PacedLatency | null = null;
    if (opts.fixedRate > 0 && opts.fixedRate !== rate) {
      opts.log(`    latency phase at the fixed rate: ${opts.fixedRate} events/s for ${opts.latencySeconds} s`);
      fixedRate = await pacedPhase(producer, opts, outcomes, services, opts.fixedRate, sent, n + sent);
      sent += fixedRate.sent;
    }

    let reads: ReadResult | null = null;
    let readWrites = 0;
    if (opts.readSeconds > 0) {
      const url = `http://127.0.0.1:${apiPorts[0]}`;
      opts.log(
        `    read phase: GET /v1/availability for random SKUs at ${opts.readRate} requests/s for ${opts.readSeconds} s, alone, then with writes at ${rate} events/s`,
      );
      const alone = await measureReads({ url, skus: opts.readSkus, rate: opts.readRate, seconds: opts.readSeconds, seed: opts.seed });
      const before = outcomes.count;
      const pacedBefore = outcomes.paced.length;
      const t = Date.now();
      const [withWrites, sentWithReads] = await Promise.all([
        measureReads({ url, skus: opts.readSkus, rate: opts.readRate, seconds: opts.readSeconds, seed: opts.seed + 1 }),
        producePaced(producer, opts.prefix, outcomes, rate, opts.readSeconds, (i) => opts.latencyOrder(sent + i)),
      ]);
      const outcomesPerSecond = (outcomes.count - before) / ((Date.now() - t) / 1000);
      const backlog = sentWithReads - (outcomes.paced.length - pacedBefore);
      readWrites = sentWithReads;
      await waitForOutcomes(outcomes, n + sent + sentWithReads, services, opts.log);
      const during = outcomes.paced.slice(pacedBefore).map((l) => l.readable - l.sentAt);
      reads = { alone, withWrites, writes: { rate, sent: sentWithReads, outcomesPerSecond, backlogAtEnd: backlog, latency: summarizeLatencies(during) } };
    }

    for (const s of services) await s.stop();
    const check = await verify(opts.databaseUrl, outcomes, n + sent + readWrites);
    const statements = statementStats(services, n + sent);
    // The transactions that committed between the first and the Nth outcome read (the relay's statements are not in
    // transactions; the very first transaction, committed before the first outcome, is not counted: a little high).
    const throughputTransactions = statements?.transactions.filter(([at]) => at >= first && at <= times[n - 1]!).length ?? 0;
    for (const phase of [latency, fixedRate]) {
      if (phase && statements)
        phase.transactions = summarizeLatencies(statements.transactions.filter(([at]) => at >= phase.window.from && at <= phase.window.to).map(([, ms]) => ms));
    }
    return {
      instances: opts.instances,
      events: n,
      startupMs: first - spawnedAt,
      elapsedMs,
      eventsPerSecond,
      throughputEventsPerTransaction: throughputTransactions > 0 ? n / throughputTransactions : Number.NaN,
      steadyEventsPerSecond,
      latency,
      fixedRate,
      cpu,
      outcomes: Object.fromEntries(outcomes.byType),
      check,
      statements,
      profile: opts.profile ? summarizeProfiles(profileDir(opts), n + sent) : null,
      reads,
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await outcomes.stop();
    await producer.disconnect();
    await deleteTopics(kafka, opts.prefix);
  }
}

export type PacedLatency = ServiceResult['latency'];

/**
 * Produces at `rate` for opts.latencySeconds, waits until every paced event has
 * its outcome, and summarizes the latencies of this phase: to readable, per
 * stage, to read by the bench. `before`: outcomes expected before this phase.
 */
async function pacedPhase(
  producer: Producer,
  opts: ServiceRunOptions,
  outcomes: OutcomeReader,
  services: ServiceProcess[],
  rate: number,
  sentBefore: number,
  before: number,
): Promise<PacedLatency> {
  const from = outcomes.paced.length;
  const startedAt = Date.now();
  const sent = await producePaced(producer, opts.prefix, outcomes, rate, opts.latencySeconds, (i) => opts.latencyOrder(sentBefore + i));
  const backlogAtEnd = sent - (outcomes.paced.length - from);
  const window = { from: startedAt, to: Date.now() };
  await waitForOutcomes(outcomes, before + sent, services, opts.log);
  const paced = outcomes.paced.slice(from);
  const lastQuarter = paced.filter((l) => l.sentAt >= outcomes.pacedFrom + 0.75 * opts.latencySeconds * 1000).map((l) => l.readable - l.sentAt);
  return {
    rate,
    seconds: opts.latencySeconds,
    sent,
    backlogAtEnd,
    p50LastQuarter: summarizeLatencies(lastQuarter).p50,
    readByBench: summarizeLatencies(paced.map((l) => l.read - l.sentAt)),
    stages: {
      toTransaction: summarizeLatencies(paced.map((l) => l.transaction - l.sentAt)),
      toReadable: summarizeLatencies(paced.map((l) => l.readable - l.transaction)),
      toRead: summarizeLatencies(paced.map((l) => l.read - l.readable)),
    },
    window,
    transactions: null,
    ...summarizeLatencies(paced.map((l) => l.readable - l.sentAt)),
  };
}

function envelope(order: BenchOrder, occurredAt: number): { eventId: string; message: Message } {
  const eventId = randomUUID();
  const value = {
    eventId,
    eventType: 'OrderPlaced',
    eventVersion: 1,
    occurredAt: new Date(occurredAt).toISOString(),
    correlationId: order.orderId,
    causationId: null,
    payload: { orderId: order.orderId, lines: [{ productId: order.productId, quantity: 1 }] },
  };
  return { eventId, message: { key: order.orderId, value: JSON.stringify(value), headers: { 'event-type': 'OrderPlaced', 'event-id': eventId } } };
}

async function produceAll(producer: Producer, prefix: string, orders: readonly BenchOrder[]): Promise<void> {
  const topic = topicName(topics.orders, prefix);
  const batches: Message[][] = [];
  for (let i = 0; i < orders.length; i += PRODUCE_BATCH) {
    const now = Date.now();
    batches.push(orders.slice(i, i + PRODUCE_BATCH).map((o) => envelope(o, now).message));
  }
  // A few sends in flight at once: the broker is local, this takes seconds.
  for (let i = 0; i < batches.length; i += 4) {
    await Promise.all(batches.slice(i, i + 4).map((messages) => producer.send({ topic, messages, acks: -1 })));
  }
}

async function producePaced(
  producer: Producer,
  prefix: string,
  outcomes: OutcomeReader,
  rate: number,
  seconds: number,
  order: (i: number) => BenchOrder,
): Promise<number> {
  const topic = topicName(topics.orders, prefix);
  const start = Date.now();
  outcomes.pacedFrom = start;
  let sent = 0;
  for (let elapsed = 0; elapsed < seconds * 1000; elapsed = Date.now() - start) {
    const due = Math.floor((rate * elapsed) / 1000) - sent;
    if (due > 0) {
      const now = Date.now();
      const messages = Array.from({ length: due }, (_, k) => {
        const { eventId, message } = envelope(order(sent + k), now);
        outcomes.sentAt.set(eventId, now);
        return message;
      });
      await producer.send({ topic, messages, acks: -1 });
      sent += due;
    }
    await sleep(2);
  }
  return sent;
}

/** Reads inventory-events from the beginning: arrival time of every outcome, latency of the paced ones. */
class OutcomeReader {
  readonly times: number[] = [];
  /** Paced events, times in ms since the epoch: sent (= occurredAt), its transaction started, outcome appended to the log, read here. */
  readonly paced: { sentAt: number; transaction: number; readable: number; read: number }[] = [];
  readonly sentAt = new Map<string, number>();
  pacedFrom = 0;
  readonly byType = new Map<string, number>();
  readonly reservedCauses = new Set<string>();
  private readonly seen = new Set<string>();
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  get count(): number {
    return this.times.length;
  }

  async start(groupId: string): Promise<void> {
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          const e = JSON.parse(m.value?.toString('utf8') ?? '{}') as { eventType?: string; causationId?: string; occurredAt?: string };
          const cause = e.causationId ?? '';
          if (this.seen.has(cause)) continue; // at-least-once delivery: count each cause once
          this.seen.add(cause);
          this.times.push(now);
          this.byType.set(e.eventType ?? '?', (this.byType.get(e.eventType ?? '?') ?? 0) + 1);
          if (e.eventType === 'StockReserved') this.reservedCauses.add(cause);
          const sent = this.sentAt.get(cause);
          if (sent !== undefined) {
            // The outcome's occurredAt is its transaction's start; the topic stamps records with LogAppendTime.
            this.paced.push({ sentAt: sent, transaction: Date.parse(e.occurredAt ?? ''), readable: Number(m.timestamp), read: now });
          }
        }
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

async function waitForOutcomes(
  outcomes: OutcomeReader,
  n: number,
  services: ServiceProcess[],
  log: (line: string) => void,
  onFirst?: () => void,
): Promise<void> {
  let last = outcomes.count;
  let first = onFirst;
  let lastProgress = Date.now();
  let lastReport = Date.now();
  while (outcomes.count < n) {
    const dead = services.find((s) => s.exited);
    if (dead) throw new Error(`service process ${dead.index} exited (code ${dead.exitCode}); log ${dead.logFile}:\n${dead.tail()}`);
    if (outcomes.count !== last) {
      first?.();
      first = undefined;
      last = outcomes.count;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > STALL_MS) {
      throw new Error(`no outcome for ${STALL_MS / 1000} s at ${last}/${n}; service log ${services[0]?.logFile}:\n${services[0]?.tail()}`);
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(`      ... ${outcomes.count}/${n} outcomes`);
    }
    await sleep(50);
  }
}

/** Reserved units == StockReserved outcomes (1 unit each), no drift, every event processed once, nothing dead-lettered. */
async function verify(databaseUrl: string, outcomes: OutcomeReader, events: number): Promise<ServiceResult['check']> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const db = createDb(databaseUrl, 1);
    const drift = await reconcile(db).finally(() => db.$disconnect());
    const driftRows = drift.drift.length + drift.violations.length;
    const { rows } = await client.query<{ reserved_sum: number; processed: number; dead: number; pos: number }>(
      `SELECT (SELECT COALESCE(SUM(quantity_reserved), 0)::int FROM inventory) AS reserved_sum,
              (SELECT COUNT(*)::int FROM processed_event) AS processed,
              (SELECT COUNT(*)::int FROM dead_letter) AS dead,
              (SELECT COUNT(*)::int FROM purchase_order) AS pos`,
    );
    const r = rows[0]!;
    const stockReserved = outcomes.reservedCauses.size;
    const ok = r.reserved_sum === stockReserved && stockReserved === events && driftRows === 0 && r.processed === events && r.dead === 0;
    return { ok, reservedSum: r.reserved_sum, stockReserved, driftRows, processedEvents: r.processed, deadLetters: r.dead, purchaseOrders: r.pos };
  } finally {
    await client.end();
  }
}

/** Records of the topic carry the broker's append time: the moment an outcome became readable. */
async function stampOnAppend(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }],
    });
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopics(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (names.length > 0) await admin.deleteTopics({ topics: names, timeout: 30_000 });
  } catch {
    // Leftover topics only cost disk on a throwaway broker.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
