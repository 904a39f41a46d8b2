import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { inboundTopics, topicName } from '../../../src/contracts';
import { createDb } from '../../../src/db/client';
import { createKafka } from '../../../src/kafka';
import { ensureTopics } from '../../../src/kafka-topics';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { importMasterData } from '../../../src/master-data/import';
import { ROOT, sleep, waitFor } from './exec';
import { buildService, ServiceProcess, tail } from './service-process';
import { TcpProxy } from '../../support/tcp-proxy';
import { deleteTopics, faultCatalog, generateOrders, inputCount, kafkaOn, OrderStream, Probe, randomPrefix, Sampler, type OrderSpec } from './workload';
import { invariantViolations, metricSum, verifyScenario, type ScenarioReport } from './verify';

/** FAULT_ORDERS: how many OrderPlaced events a scenario streams (default 20,000). */
export const FAULT_ORDERS = Number(process.env.FAULT_ORDERS ?? 20_000);
/** A generous bound on one scenario: startup, three rebalances, a broker start, plus 40 ms per order (~25/s on a busy 2-core machine). */
export const scenarioTimeoutMs = (orders = FAULT_ORDERS) => 300_000 + orders * 40;

export interface FaultContext {
  service: ServiceProcess;
  /** With ScenarioOptions.standby: the second instance, started after the first (so the first leads the relay). */
  standby: ServiceProcess | null;
  /** With ScenarioOptions.standby: the proxy between the first instance's relay and PostgreSQL. */
  relayProxy: TcpProxy | null;
  /** Inbound events done so far (processed_event rows), as last sampled. */
  processed(): number;
  /**
   * Events already applied (inbox row) at or after the group's committed
   * offset of their partition: exactly what the next owner of those
   * partitions is delivered again and the inbox suppresses. Meaningful while
   * no instance of the group runs (right after a SIGKILL).
   */
  appliedButUncommitted(): Promise<number>;
  /** Figures to report with this fault. */
  note(figures: Record<string, number>): void;
}

export interface Fault {
  name: string;
  /** Fires once the service has processed at least this fraction of the orders. */
  atFraction: number;
  inject(ctx: FaultContext): Promise<void>;
}

export interface FaultRecord {
  name: string;
  /** Progress when it fired (processed / orders), and the processed count itself. */
  firedAt: number;
  processedAt: number;
  /** How long the injection itself took (kill + restart + ready, a broker restart, ...). */
  injectMs: number;
  /** From the fault until the processed count moved again. */
  resumedAfterMs: number | null;
  notes: Record<string, number>;
}

export interface ScenarioResult {
  name: string;
  orders: number;
  prefix: string;
  runDir: string;
  faults: FaultRecord[];
  totalMs: number;
  /** Orders per second over the whole run (faults included). */
  throughput: number;
  /** From the inbox-duplicate metric (inventory_events_processed_total{status="DUPLICATE"}), last scrape of each process run: a lower bound after a SIGKILL. */
  duplicatesSuppressedMetric: number;
  appliedMetric: number;
  retriesMetric: { transient: number; nonTransient: number };
  serviceRuns: { pid: number; exit?: { code: number | null; signal: string | null } }[];
  samples: { taken: number; failed: number; overReservedSeen: number };
  /** GET /readyz samples (every ~500 ms while a process ran): 200, 503, no answer. */
  readiness: { ready: number; notReady: number; noAnswer: number };
  report: ScenarioReport;
  violations: Record<string, unknown>;
}

export interface ScenarioOptions {
  name: string;
  brokers: string;
  databaseUrl: string;
  faults: Fault[];
  orders?: number;
  skus?: number;
  /** Extra service environment. */
  env?: Record<string, string>;
  /**
   * A second instance (same group) as the relay's stand-by; the first
   * instance's relay reaches PostgreSQL through a TcpProxy (ctx.relayProxy)
   * that a fault can cut.
   */
  standby?: boolean;
  /** Processed count must move at least once in this window, else the run is declared hung. */
  stallMs?: number;
  /** Contract v2 holds in the mix: about one order in holdEvery carries holdUntil (see generateOrders). */
  holdEvery?: number;
}

/**
 * One fault scenario end to end: master data, a service process, a stream of
 * OrderPlaced events published while the service works, faults injected at
 * progress points, then every invariant checked from the topics and the
 * database. Everything is bounded; a hang fails with the service's last log lines.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const n = options.orders ?? FAULT_ORDERS;
  const skuCount = options.skus ?? 20;
  const prefix = randomPrefix();
  const runDir = join(ROOT, '.cache', 'faults-runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${options.name}`);
  mkdirSync(runDir, { recursive: true });
  const skus = Array.from({ length: skuCount }, (_, i) => `FLT-${String(i + 1).padStart(2, '0')}`);
  // Expected demand per SKU: n x 2 lines x 2.5 units / SKUs; stock covers ~85% of it, so the tail of the run is refused in part.
  const demandPerSku = (n * 2 * 2.5) / skuCount;
  const stock = Object.fromEntries(skus.map((sku, i) => [sku, Math.round(demandPerSku * (0.75 + (0.2 * i) / skuCount))]));
  // Contract v2 in the mix: every 4th order (or so) allows backorders, which a quarter of the SKUs take.
  const backorderSkus = skus.filter((_, i) => i % 4 === 0);

  const config = loadConfig({ DATABASE_URL: options.databaseUrl, KAFKA_BROKERS: options.brokers, KAFKA_TOPIC_PREFIX: prefix });
  await ensureTopics(createKafka(config, createLogger('silent')), prefix, 6, 1);
  const seedDb = createDb(options.databaseUrl, 2);
  try {
    await importMasterData(seedDb, faultCatalog(stock, { backorderSkus }));
  } finally {
    await seedDb.$disconnect();
  }
  const probe = new Probe(options.databaseUrl);
  const [wh1] = await probe.query<{ warehouse_id: number }>("SELECT warehouse_id FROM warehouse WHERE code = 'WH1'");
  const orders = generateOrders(n, skus, {
    seed: 20261126,
    maxLines: 3,
    maxQuantity: 4,
    warehouseId: wh1!.warehouse_id,
    runId: prefix.slice(0, -1),
    backorderEvery: 4,
    holdEvery: options.holdEvery,
  });
  // The OrderConfirmed of some holds are inputs too (processed_event rows), though they publish nothing.
  const inputs = inputCount(orders);

  const entry = await buildService();
  const serviceEnv = {
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}inventory`,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  let relayProxy: TcpProxy | null = null;
  let relayUrl: string | undefined;
  if (options.standby) {
    const direct = new URL(options.databaseUrl);
    relayProxy = await new TcpProxy(direct.hostname, Number(direct.port || 5432)).open();
    const viaProxy = new URL(options.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(relayProxy.port);
    relayUrl = viaProxy.toString();
  }
  const service = new ServiceProcess(
    options.name,
    entry,
    { ...serviceEnv, ...(relayUrl ? { OUTBOX_RELAY_DATABASE_URL: relayUrl } : {}) },
    join(runDir, 'service.log'),
  );
  const standby = options.standby ? new ServiceProcess(`${options.name}-standby`, entry, serviceEnv, join(runDir, 'standby.log')) : null;

  const sampler = new Sampler(options.databaseUrl, 200).start();
  const kafka = kafkaOn(options.brokers, 3);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const metricsByRun = new Map<number, string>();
  // GET /readyz every 500 ms while a process runs: how long the service said "not ready" during the faults.
  const readiness = { ready: 0, notReady: 0, noAnswer: 0 };
  let scraping = true;
  const scraper = (async () => {
    while (scraping) {
      const pid = service.pid;
      if (pid !== null && service.running) {
        const status = await service.readyz(2000);
        if (status === 200) readiness.ready++;
        else if (status === 0) readiness.noAnswer++;
        else readiness.notReady++;
        const text = await service.metrics(2000);
        if (text) metricsByRun.set(pid, text);
      }
      await sleep(500);
    }
  })();

  const started = Date.now();
  const faults: FaultRecord[] = [];
  let readyAtEnd = 0;
  let stream: OrderStream | null = null;
  try {
    await service.start();
    await standby?.start();
    await producer.connect();
    const deadline = started + scenarioTimeoutMs(n) - 60_000;
    stream = new OrderStream(producer, prefix, orders, () => sampler.processed, {
      deadlineMs: deadline,
      chunk: 250,
      ahead: Math.max(2000, Math.round(n * 0.1)),
    });

    let lastProcessedAt = 0;
    for (const fault of options.faults) {
      // At its fraction, and at least 20% of the stream after the previous fault.
      const target = Math.max(Math.ceil(n * fault.atFraction), faults.length ? lastProcessedAt + Math.ceil(n * 0.2) : 0);
      await waitForProgress(sampler, service, target, options.stallMs ?? 120_000, deadline, fault.name);
      const processedAt = sampler.processed;
      const firedAt = processedAt / n;
      const before = Date.now();
      const notes: Record<string, number> = {};
      await fault.inject({
        service,
        standby,
        relayProxy,
        processed: () => sampler.processed,
        appliedButUncommitted: () => appliedButUncommitted(kafka, `${prefix}inventory`, prefix, probe),
        note: (figures) => Object.assign(notes, figures),
      });
      const injectMs = Date.now() - before;
      const countAfter = sampler.processed;
      // How long until processing moved again (bounded; null when it did not move within 5 minutes).
      let resumedAfterMs: number | null = null;
      await waitFor(() => sampler.processed > countAfter || sampler.processed >= n, 300_000, `progress after ${fault.name}`, 50)
        .then(() => (resumedAfterMs = Date.now() - before))
        .catch(() => undefined);
      faults.push({ name: fault.name, firedAt, processedAt, injectMs, resumedAfterMs, notes });
      lastProcessedAt = processedAt;
      if (resumedAfterMs === null) throw new Error(`no progress within 5 minutes after ${fault.name}: hang?\n${tail(service.logFile, 30)}`);
    }
    await stream.done;
    await waitForProgress(sampler, service, inputs, options.stallMs ?? 120_000, deadline, 'the end of the stream');
    // Short holds placed last are due a few seconds after they were sent: the sweeper must have released them all.
    await waitFor(
      async () =>
        Number((await probe.query<{ n: string }>("SELECT count(*) AS n FROM reservation_hold WHERE status = 'HELD' AND hold_until < now()"))[0]!.n) === 0,
      60_000,
      'the sweeper to release the due holds',
      200,
    );
    await waitFor(
      async () => Number((await probe.query<{ n: string }>('SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL'))[0]!.n) === 0,
      120_000,
      'the outbox to drain',
      200,
    );
    await waitFor(async () => (await service.metrics(2000)) !== null && metricsByRun.has(service.pid!), 10_000, 'a last metrics scrape').catch(() => undefined);
    // Recovered: ready again once the work is done (bounded: readiness needs a broker answer and a group join).
    await waitFor(async () => (await service.readyz()) === 200, 60_000, 'GET /readyz 200 after the faults', 500).catch(() => undefined);
    readyAtEnd = await service.readyz();
    const last = await service.metrics(2000);
    if (last && service.pid) metricsByRun.set(service.pid, last);
  } finally {
    scraping = false;
    await scraper;
    stream?.stop();
    await stream?.done.catch(() => undefined);
    // A cut proxy would hold the first instance's shutdown flush for its whole timeout.
    await relayProxy?.cut();
    await standby?.stop();
    await service.stop();
    await sampler.stop();
    await producer.disconnect().catch(() => undefined);
    await probe.close();
  }
  const totalMs = Date.now() - started;

  const report = await verifyScenario({
    kafka,
    prefix,
    databaseUrl: options.databaseUrl,
    orders,
    stock,
    logFiles: [service.logFile, ...(standby ? [standby.logFile] : [])],
  });
  await deleteTopics(options.brokers, prefix);
  const metrics = [...metricsByRun.values()];
  const result: ScenarioResult = {
    name: options.name,
    orders: n,
    prefix,
    runDir,
    faults,
    totalMs,
    throughput: Math.round(n / (totalMs / 1000)),
    duplicatesSuppressedMetric: metrics.reduce((s, t) => s + metricSum(t, 'inventory_events_processed_total', { status: 'DUPLICATE' }), 0),
    appliedMetric: metrics.reduce((s, t) => s + metricSum(t, 'inventory_events_processed_total', { status: 'APPLIED' }), 0),
    retriesMetric: {
      transient: metrics.reduce((s, t) => s + metricSum(t, 'inventory_event_retries_total', { transient: 'true' }), 0),
      nonTransient: metrics.reduce((s, t) => s + metricSum(t, 'inventory_event_retries_total', { transient: 'false' }), 0),
    },
    serviceRuns: [...service.runs, ...(standby?.runs ?? [])].map((r) => ({ pid: r.pid, exit: r.exit })),
    samples: { taken: sampler.samples, failed: sampler.failedSamples, overReservedSeen: sampler.overReservedSeen.length },
    readiness,
    report,
    violations: { ...invariantViolations(report, sampler.overReservedSeen), ...(readyAtEnd === 200 ? {} : { readyzAtEnd: readyAtEnd }) },
  };
  writeFileSync(
    join(runDir, 'result.json'),
    JSON.stringify({ ...result, report: { ...report, missing: report.missing.slice(0, 100), conflicting: report.conflicting.slice(0, 100) } }, null, 2),
  );
  process.stdout.write(`\n${summarize(result)}\n`);
  return result;
}

/** See FaultContext.appliedButUncommitted. */
export async function appliedButUncommitted(kafka: Kafka, groupId: string, prefix: string, probe: Probe): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId, topics: inboundTopics.map((t) => topicName(t, prefix)) });
    let total = 0;
    for (const t of offsets) {
      for (const p of t.partitions) {
        const from = BigInt(p.offset) < 0n ? '0' : p.offset;
        const [row] = await probe.query<{ n: string }>('SELECT count(*) AS n FROM processed_event WHERE topic = $1 AND partition = $2 AND "offset" >= $3', [
          t.topic.slice(prefix.length),
          p.partition,
          from,
        ]);
        total += Number(row!.n);
      }
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

async function waitForProgress(sampler: Sampler, service: ServiceProcess, target: number, stallMs: number, deadline: number, what: string): Promise<void> {
  let last = sampler.processed;
  let lastMoved = Date.now();
  while (sampler.processed < target) {
    if (sampler.processed !== last) {
      last = sampler.processed;
      lastMoved = Date.now();
    }
    const reason = Date.now() > deadline ? 'scenario deadline passed' : Date.now() - lastMoved > stallMs ? `no progress for ${stallMs} ms (hang?)` : null;
    if (reason) {
      throw new Error(
        `${reason} waiting for ${what}: ${sampler.processed}/${target} processed; service running=${service.running}, readyz=${await service.readyz()}\n--- last log lines ---\n${tail(service.logFile, 30)}`,
      );
    }
    await sleep(50);
  }
}

export function summarize(r: ScenarioResult): string {
  const rep = r.report;
  return [
    `=== fault scenario ${r.name}: ${r.orders} orders in ${(r.totalMs / 1000).toFixed(1)} s (${r.throughput}/s overall), logs ${r.runDir}`,
    ...r.faults.map(
      (f) =>
        `  fault ${f.name} at ${(f.firedAt * 100).toFixed(1)}%: injection took ${f.injectMs} ms, processing moved again after ${f.resumedAfterMs} ms${Object.keys(f.notes).length ? ` ${JSON.stringify(f.notes)}` : ''}`,
    ),
    `  outcomes: ${JSON.stringify(rep.outcomesByType)}; missing ${rep.missing.length}, conflicting ${rep.conflicting.length}, strays ${rep.strays}, dead letters ${rep.deadLetters}`,
    `  inbound duplicates suppressed by the inbox: redelivered after the faults (applied, offset not committed) ${r.faults.reduce((s, f) => s + (f.notes.redelivered ?? 0), 0)}; DUPLICATE log lines ${rep.log.duplicateLines}; metric ${r.duplicatesSuppressedMetric} (lower bound: a SIGKILL loses the last seconds); input copies on the wire (test producer retries) ${rep.inputCopies}`,
    `  holds: ${JSON.stringify(rep.holdsByStatus)}; sweeper events ${JSON.stringify(rep.sweptByType)} (${rep.sweptMessages} messages for ${rep.sweptEvents} eventIds); hold mismatches ${rep.holdMismatches.length}`,
    `  outcome messages ${rep.outcomeMessages} for ${rep.distinctOutcomes} distinct outcome eventIds: ${rep.outputWireDuplicates} duplicate copies on the wire (same eventId), ${rep.duplicateCopiesDiffer} copies that differ`,
    `  reserved total ${rep.reservedTotal}; reserved mismatches ${Object.keys(rep.reservedMismatches).length}; on-hand mismatches ${Object.keys(rep.onHandMismatches).length}; backordered ${rep.backorderedTotal} (mismatches ${Object.keys(rep.backorderMismatches).length}); drift rows ${rep.drift.length}; over-reserved samples ${r.samples.overReservedSeen}/${r.samples.taken} (failed samples ${r.samples.failed})`,
    `  applied log lines ${rep.log.appliedLines} (applied twice: ${rep.log.appliedTwice}); retry warnings ${rep.log.retryWarnings} (not transient: ${rep.log.nonTransientRetries}); retries metric ${JSON.stringify(r.retriesMetric)}; relay failures ${rep.log.relayFailures}`,
    ...(rep.log.retryErrors.length ? [`  retry errors: ${rep.log.retryErrors.join(' | ')}`] : []),
    `  GET /readyz samples: ${r.readiness.ready} ready, ${r.readiness.notReady} not ready (503), ${r.readiness.noAnswer} no answer`,
    `  service runs: ${r.serviceRuns.map((s) => `${s.pid}:${s.exit ? (s.exit.signal ?? s.exit.code) : 'running'}`).join(' ')}`,
    `  violations: ${Object.keys(r.violations).length ? JSON.stringify(r.violations) : 'none'}`,
  ].join('\n');
}

export type { OrderSpec };
