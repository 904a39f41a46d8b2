import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Kafka, logLevel, type Consumer, type Message, type Producer } from 'kafkajs';
import { topicName, topics } from '../src/contracts';
import { ensureTopics } from '../src/kafka-topics';
import type { BenchOrder } from './baseline';
import { summarizeProfiles, type ProfileShare } from './profile';
import type { QueryStatsFile } from './query-counter';
import { summarizeLatencies, type LatencySummary } from './stats';

export interface ServiceRunOptions {
  /** Folder whose dist/src/main.js is run (the service under test). */
  serviceRoot: string;
  databaseUrl: string;
  brokers: string[];
  /** Fresh topic prefix of this measurement. */
  prefix: string;
  partitions: number;
  instances: number;
  /** Throughput phase: produced before the service starts. */
  orders: readonly BenchOrder[];
  /** Latency phase: the i-th paced order. */
  latencyOrder: (i: number) => BenchOrder;
  /** Paced rate (events/s); default half the throughput just measured. */
  latencyRate?: number;
  latencySeconds: number;
  /** Logs and query statistics of the service processes go here. */
  workDir: string;
  /** Run the service processes with --cpu-prof and summarize where their CPU went. */
  profile?: boolean;
  log: (line: string) => void;
}

export interface StatementStat {
  kind: string;
  perEvent: number;
  msPerEvent: number;
  sample: string;
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
  /** backlog: paced events without an outcome yet when pacing stopped (growing = the service did not keep up). */
  latency: { rate: number; seconds: number; sent: number; backlogAtEnd: number; p50LastQuarter: number } & LatencySummary;
  /** Throughput phase, first to Nth outcome: whole machine busy (of all cores), broker CPU per event. */
  cpu: { machineBusyPercent: number; brokerMsPerEvent: number | null; latencyPhaseMachineBusyPercent: number };
  outcomes: Record<string, number>;
  check: { ok: boolean; reservedSum: number; stockReserved: number; driftRows: number; processedEvents: number; deadLetters: number; purchaseOrders: number };
  /** From the query counter preloaded into each service process. */
  statements: { perEvent: number; msPerEvent: number; eventsPerTransaction: number; byKind: StatementStat[]; cpuMsPerEvent: number } | null;
  /** --profile: service CPU by package, ms per event (start-up included). */
  profile: ProfileShare[] | null;
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
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const outcomes = new OutcomeReader(kafka, topicName(topics.inventoryEvents, opts.prefix));
  const services: ServiceProcess[] = [];
  try {
    await outcomes.start(`${opts.prefix}bench-outcomes`);
    const t0 = Date.now();
    await produceAll(producer, opts.prefix, opts.orders);
    opts.log(`    produced ${opts.orders.length} events in ${((Date.now() - t0) / 1000).toFixed(1)} s; starting ${opts.instances} service process(es)`);

    const spawnedAt = Date.now();
    for (let i = 0; i < opts.instances; i++) services.push(new ServiceProcess(opts, i + 1));
    const n = opts.orders.length;
    let firstCpu: CpuSnapshot | null = null;
    await waitForOutcomes(outcomes, n, services, opts.log, () => (firstCpu = cpuSnapshot()));
    const cpu = cpuBetween(firstCpu ?? cpuSnapshot(), cpuSnapshot(), n);
    const times = outcomes.times;
    const first = times[0]!;
    const elapsedMs = Math.max(1, times[n - 1]! - first);
    const lo = Math.floor(n * 0.1);
    const hi = Math.max(lo + 1, Math.floor(n * 0.9) - 1);
    const eventsPerSecond = n / (elapsedMs / 1000);
    const steadyEventsPerSecond = (hi - lo) / (Math.max(1, times[hi]! - times[lo]!) / 1000);
    opts.log(`    throughput: ${eventsPerSecond.toFixed(0)} events/s (steady ${steadyEventsPerSecond.toFixed(0)}), first outcome ${((first - spawnedAt) / 1000).toFixed(1)} s after spawn`);

    const rate = Math.max(1, Math.round(opts.latencyRate ?? eventsPerSecond / 2));
    opts.log(`    latency phase: ${rate} events/s for ${opts.latencySeconds} s`);
    const pacedCpu = cpuSnapshot();
    const sent = await producePaced(producer, opts.prefix, outcomes, rate, opts.latencySeconds, opts.latencyOrder);
    cpu.latencyPhaseMachineBusyPercent = cpuBetween(pacedCpu, cpuSnapshot(), 1).machineBusyPercent;
    const backlogAtEnd = sent - outcomes.latencies.length;
    await waitForOutcomes(outcomes, n + sent, services, opts.log);
    const lastQuarter = outcomes.latencyBySend.filter((l) => l.sentAt >= outcomes.pacedFrom + 0.75 * opts.latencySeconds * 1000).map((l) => l.ms);
    const latency = { rate, seconds: opts.latencySeconds, sent, backlogAtEnd, p50LastQuarter: summarizeLatencies(lastQuarter).p50, ...summarizeLatencies(outcomes.latencies) };

    for (const s of services) await s.stop();
    const check = await verify(opts.databaseUrl, outcomes, n + sent);
    return {
      instances: opts.instances,
      events: n,
      startupMs: first - spawnedAt,
      elapsedMs,
      eventsPerSecond,
      steadyEventsPerSecond,
      latency,
      cpu,
      outcomes: Object.fromEntries(outcomes.byType),
      check,
      statements: statementStats(services, n + sent),
      profile: opts.profile ? summarizeProfiles(profileDir(opts), n + sent) : null,
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await outcomes.stop();
    await producer.disconnect();
    await deleteTopics(kafka, opts.prefix);
  }
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

async function producePaced(producer: Producer, prefix: string, outcomes: OutcomeReader, rate: number, seconds: number, order: (i: number) => BenchOrder): Promise<number> {
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
  readonly latencies: number[] = [];
  readonly latencyBySend: { sentAt: number; ms: number }[] = [];
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
          const e = JSON.parse(m.value?.toString('utf8') ?? '{}') as { eventType?: string; causationId?: string };
          const cause = e.causationId ?? '';
          if (this.seen.has(cause)) continue; // at-least-once delivery: count each cause once
          this.seen.add(cause);
          this.times.push(now);
          this.byType.set(e.eventType ?? '?', (this.byType.get(e.eventType ?? '?') ?? 0) + 1);
          if (e.eventType === 'StockReserved') this.reservedCauses.add(cause);
          const sent = this.sentAt.get(cause);
          if (sent !== undefined) {
            this.latencies.push(now - sent);
            this.latencyBySend.push({ sentAt: sent, ms: now - sent });
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

async function waitForOutcomes(outcomes: OutcomeReader, n: number, services: ServiceProcess[], log: (line: string) => void, onFirst?: () => void): Promise<void> {
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

/** One `node dist/src/main.js` with the query counter preloaded. */
class ServiceProcess {
  readonly logFile: string;
  readonly statsFile: string;
  exited = false;
  exitCode: number | null = null;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly done: Promise<void>;

  constructor(
    opts: ServiceRunOptions,
    readonly index: number,
  ) {
    this.logFile = join(opts.workDir, `${opts.prefix}svc${index}.log`);
    this.statsFile = join(opts.workDir, `${opts.prefix}svc${index}.queries.json`);
    const env = {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      KAFKA_BROKERS: opts.brokers.join(','),
      KAFKA_TOPIC_PREFIX: opts.prefix,
      KAFKA_GROUP_ID: `${opts.prefix}inventory`,
      KAFKA_CLIENT_ID: `bench-inventory-${index}`,
      KAFKA_TOPIC_PARTITIONS: String(opts.partitions),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      BENCH_QUERY_STATS: this.statsFile,
    };
    const profiling = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(opts)}`] : [];
    this.child = spawn(process.execPath, [...profiling, '-r', join(__dirname, 'query-counter.js'), join(opts.serviceRoot, 'dist', 'src', 'main.js')], { cwd: opts.serviceRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const file = createWriteStream(this.logFile);
    const keep = (chunk: Buffer) => {
      file.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push(line.slice(0, 400));
      if (this.lines.length > 40) this.lines.splice(0, this.lines.length - 40);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.done = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.exited = true;
        this.exitCode = code;
        file.end();
        resolve();
      }),
    );
  }

  tail(): string {
    return this.lines.slice(-15).join('\n');
  }

  /** SIGTERM: the service finishes in-flight events, flushes the outbox and exits. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 45_000);
      await this.done;
      clearTimeout(timer);
    }
  }

  stats(): QueryStatsFile | null {
    return existsSync(this.statsFile) ? (JSON.parse(readFileSync(this.statsFile, 'utf8')) as QueryStatsFile) : null;
  }
}

function profileDir(opts: ServiceRunOptions): string {
  return join(opts.workDir, `${opts.prefix}profiles`);
}

function statementStats(services: ServiceProcess[], events: number): ServiceResult['statements'] {
  const files = services.map((s) => s.stats()).filter((s): s is QueryStatsFile => s !== null);
  if (files.length === 0) return null;
  const byKind = new Map<string, { count: number; ms: number; sample: string }>();
  let cpuMs = 0;
  for (const f of files) {
    cpuMs += f.cpuUserMs + f.cpuSystemMs;
    for (const [kind, s] of Object.entries(f.statements)) {
      const acc = byKind.get(kind) ?? { count: 0, ms: 0, sample: s.sample };
      acc.count += s.count;
      acc.ms += s.ms;
      byKind.set(kind, acc);
    }
  }
  const list = [...byKind].map(([kind, s]) => ({ kind, perEvent: s.count / events, msPerEvent: s.ms / events, sample: s.sample })).sort((a, b) => b.perEvent - a.perEvent || b.msPerEvent - a.msPerEvent);
  const commits = byKind.get('COMMIT')?.count ?? 0;
  return {
    perEvent: list.reduce((a, s) => a + s.perEvent, 0),
    eventsPerTransaction: commits > 0 ? events / commits : Number.NaN,
    msPerEvent: list.reduce((a, s) => a + s.msPerEvent, 0),
    byKind: list,
    cpuMsPerEvent: cpuMs / events,
  };
}

// The same invariant query as test/support/assertions.ts stockDrift (keep them in step).
const STOCK_DRIFT = `
  WITH ledger AS (
    SELECT product_id, location_id, SUM(quantity) FILTER (WHERE txn_type IN ('RECEIVE','SHIP','ADJUST','TRANSFER'))::int AS on_hand
      FROM inventory_transaction GROUP BY product_id, location_id),
  held AS (
    SELECT product_id, location_id, SUM(quantity - quantity_shipped - quantity_released)::int AS reserved
      FROM reservation GROUP BY product_id, location_id)
  SELECT i.product_id, i.location_id, i.quantity_on_hand, COALESCE(l.on_hand, 0) AS ledger_on_hand,
         i.quantity_reserved, COALESCE(h.reserved, 0) AS reservations
    FROM inventory i
    LEFT JOIN ledger l USING (product_id, location_id)
    LEFT JOIN held h USING (product_id, location_id)
   WHERE i.quantity_on_hand <> COALESCE(l.on_hand, 0)
      OR i.quantity_reserved <> COALESCE(h.reserved, 0)
      OR i.quantity_reserved > i.quantity_on_hand`;

/** Reserved units == StockReserved outcomes (1 unit each), no drift, every event processed once, nothing dead-lettered. */
async function verify(databaseUrl: string, outcomes: OutcomeReader, events: number): Promise<ServiceResult['check']> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const drift = await client.query(STOCK_DRIFT);
    const { rows } = await client.query<{ reserved_sum: number; processed: number; dead: number; pos: number }>(
      `SELECT (SELECT COALESCE(SUM(quantity_reserved), 0)::int FROM inventory) AS reserved_sum,
              (SELECT COUNT(*)::int FROM processed_event) AS processed,
              (SELECT COUNT(*)::int FROM dead_letter) AS dead,
              (SELECT COUNT(*)::int FROM purchase_order) AS pos`,
    );
    const r = rows[0]!;
    const stockReserved = outcomes.reservedCauses.size;
    const ok = r.reserved_sum === stockReserved && stockReserved === events && drift.rowCount === 0 && r.processed === events && r.dead === 0;
    return { ok, reservedSum: r.reserved_sum, stockReserved, driftRows: drift.rowCount ?? 0, processedEvents: r.processed, deadLetters: r.dead, purchaseOrders: r.pos };
  } finally {
    await client.end();
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

interface CpuSnapshot {
  at: number;
  busy: number;
  total: number;
  broker: number | null;
}

const BROKER_PID_FILE = `/tmp/inventory-kafka-${process.env.KAFKA_PORT ?? '9092'}/broker.pid`;

/** /proc/stat jiffies of the whole machine and /proc/<pid>/stat of the broker (scripts/kafka-start.sh's pid file). */
function cpuSnapshot(): CpuSnapshot {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  let broker: number | null = null;
  try {
    const pid = readFileSync(BROKER_PID_FILE, 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    broker = Number(after[11]) + Number(after[12]); // utime + stime (fields 14, 15)
  } catch {
    broker = null;
  }
  return { at: Date.now(), busy: total - idle, total, broker };
}

function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, events: number): ServiceResult['cpu'] & { latencyPhaseMachineBusyPercent: number } {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  return {
    machineBusyPercent: b.total > a.total ? (100 * (b.busy - a.busy)) / (b.total - a.total) : Number.NaN,
    brokerMsPerEvent: a.broker !== null && b.broker !== null ? (b.broker - a.broker) / ticksPerMs / events : null,
    latencyPhaseMachineBusyPercent: Number.NaN,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
