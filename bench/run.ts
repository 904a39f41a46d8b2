import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { migrate } from '../src/db/migrate';
import { runBaseline, type BaselineResult, type BenchOrder } from './baseline';
import { runLimit, type LimitResult } from './limit';
import { loadCatalog, PRODUCTS, type CatalogIds } from './catalog';
import { runService, type ServiceResult } from './service-run';
import { fmt, median, seededRandom, type LatencySummary } from './stats';
import { formatReads } from './read-phase';
import { pinOthers, postmasterPid, type Pinning } from './pinning';
import { BROKER_PID_FILE } from './cpu';

/**
 * `npm run bench -- [options]`: throughput and latency of OrderPlaced
 * reservations through the real service (Kafka in, PostgreSQL, outbox, Kafka
 * out) against the same reservation as raw SQL (per event: the baseline; set
 * based, one statement per run: the limit) measured in the same run.
 * Prints figures; never fails on a figure. docs/benchmark.md explains them.
 */
type Workload = 'distinct' | 'hot';

interface Options {
  orders: number;
  workloads: Workload[];
  concurrency: number;
  instances: number[];
  repeat: number;
  serviceRepeat: number;
  latencySeconds: number;
  rate?: number;
  fixedRate: number;
  limitBatch?: number;
  limitConnections: number;
  json?: string;
  serviceRoot: string;
  seed: number;
  profile: boolean;
  readRate: number;
  readSeconds: number;
  pinning?: Pinning;
}

const REPO = resolve(__dirname, '..', '..');
const PG_BASE = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/inventory_bench';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PARTITIONS = 6;
/**
 * Baseline workers: 6, one per partition that a service instance works on at
 * once (CONSUMER_PARTITIONS_CONCURRENTLY). Measured on this machine: distinct
 * SKUs are fastest with 6 (2 workers 1,457, 3 about 1,720, 6 2,144 events/s);
 * the hot SKU is a little faster with fewer (2: 1,145, 6: 991); see
 * docs/benchmark.md.
 */
const BASELINE_CONCURRENCY = 6;
/** Goals of issue 14 (per-event ratios, the limit, latency at half the peak and at 1,000 events/s) and of issue 12 (reads). */
const TARGETS = { distinctRatio: 2, hotRatio: 5, limitRatio: 0.7, p99Ms: 50, fixedRateP99Ms: 25, readP99Ms: 10 };
/** The limit's connections: as many as one service instance has transactions in flight (CONSUMER_TRANSACTIONS_IN_FLIGHT). */
const LIMIT_CONNECTIONS = Number(process.env.CONSUMER_TRANSACTIONS_IN_FLIGHT ?? 2);

const USAGE = `usage: npm run bench -- [--orders 50000] [--workload distinct|hot|both] [--concurrency ${BASELINE_CONCURRENCY}]
       [--instances 1|1,2,4] [--repeat 3] [--service-repeat 1] [--latency-seconds 20] [--rate <events/s>] [--fixed-rate 1000 (0: none)]
       [--limit-batch <events per statement>] [--limit-connections ${LIMIT_CONNECTIONS}] [--json bench-results/<file>.json]
       [--service-root <dir with dist/src/main.js>] [--seed 42] [--profile] [--read-rate 1000] [--read-seconds 20 (0: no read phase)]
       [--service-cpus 0 --others-cpus 1 (the service on CPU 0; PostgreSQL, the broker and the bench on CPU 1)]`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    orders: 50_000,
    workloads: ['distinct', 'hot'],
    concurrency: BASELINE_CONCURRENCY,
    instances: [1],
    repeat: 3,
    serviceRepeat: 1,
    latencySeconds: 20,
    fixedRate: 1000,
    limitConnections: LIMIT_CONNECTIONS,
    serviceRoot: REPO,
    seed: 42,
    profile: false,
    readRate: 1000,
    readSeconds: 20,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--profile') {
      o.profile = true;
      continue;
    }
    const value = argv[++i];
    const int = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer\n${USAGE}`);
      return n;
    };
    if (flag === '--orders') o.orders = int();
    else if (flag === '--workload' && ['distinct', 'hot', 'both'].includes(value ?? ''))
      o.workloads = value === 'both' ? ['distinct', 'hot'] : [value as Workload];
    else if (flag === '--concurrency') o.concurrency = int();
    else if (flag === '--instances')
      o.instances = (value ?? '')
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
    else if (flag === '--repeat') o.repeat = int();
    else if (flag === '--service-repeat') o.serviceRepeat = int();
    else if (flag === '--latency-seconds') o.latencySeconds = int();
    else if (flag === '--rate') o.rate = int();
    else if (flag === '--fixed-rate') o.fixedRate = value === '0' ? 0 : int();
    else if (flag === '--limit-batch') o.limitBatch = int();
    else if (flag === '--limit-connections') o.limitConnections = int();
    else if (flag === '--service-cpus' && value) o.pinning = { serviceCpus: value, othersCpus: o.pinning?.othersCpus ?? '' };
    else if (flag === '--others-cpus' && value) o.pinning = { serviceCpus: o.pinning?.serviceCpus ?? '', othersCpus: value };
    else if (flag === '--json' && value) o.json = resolve(process.env.INIT_CWD ?? process.cwd(), value);
    else if (flag === '--service-root' && value) o.serviceRoot = resolve(process.env.INIT_CWD ?? process.cwd(), value);
    else if (flag === '--seed') o.seed = int();
    else if (flag === '--read-rate') o.readRate = int();
    else if (flag === '--read-seconds') o.readSeconds = value === '0' ? 0 : int();
    else throw new Error(`unknown or incomplete option ${flag}\n${USAGE}`);
  }
  if (o.pinning && (!/^[\d,-]+$/.test(o.pinning.serviceCpus) || !/^[\d,-]+$/.test(o.pinning.othersCpus)))
    throw new Error(`--service-cpus and --others-cpus go together, each a CPU list like 0 or 0-1\n${USAGE}`);
  if (o.instances.length === 0) throw new Error(`--instances needs a number or a list like 1,2,4\n${USAGE}`);
  if (!existsSync(join(o.serviceRoot, 'dist', 'src', 'main.js'))) throw new Error(`${o.serviceRoot}/dist/src/main.js not found: build the service first`);
  return o;
}

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function sql<T extends object = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const CATALOG_DB = new URL(PG_BASE).pathname.slice(1);
const admin = (text: string) => sql(withDatabase(PG_BASE, 'postgres'), text);

/** A fresh copy of the imported catalogue (CREATE DATABASE ... TEMPLATE: a file copy, seconds). */
async function cloneCatalog(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name} TEMPLATE ${CATALOG_DB}`);
  return { url: withDatabase(PG_BASE, name), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined) };
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`, { paths: [REPO] }), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function kafkaVersion(): string {
  const lib = join(REPO, '.cache', 'kafka', 'lib');
  try {
    const jar = readdirSync(lib).find((f) => /^kafka_2\.\d+-.*\.jar$/.test(f));
    return jar?.replace(/^kafka_2\.\d+-(.*)\.jar$/, '$1') ?? readFileSync(join(lib, '.kafka-version'), 'utf8').trim();
  } catch {
    return '?';
  }
}

function gitState(dir: string): string {
  const head = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return existsSync(join(dir, 'BENCH_SOURCE')) ? readFileSync(join(dir, 'BENCH_SOURCE'), 'utf8').trim() : 'not a git checkout';
  const dirty = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return `${head.stdout.trim()}${dirty.length ? ` + ${dirty.length} uncommitted file(s): ${dirty.map((l) => l.slice(3)).join(', ')}` : ' (clean)'}`;
}

async function environment(o: Options): Promise<Record<string, unknown>> {
  const cpu = cpus();
  const [pg] = await sql<{ server_version: string; synchronous_commit: string; shared_buffers: string }>(
    withDatabase(PG_BASE, 'postgres'),
    `SELECT current_setting('server_version') AS server_version, current_setting('synchronous_commit') AS synchronous_commit, current_setting('shared_buffers') AS shared_buffers`,
  );
  const kafka = new Kafka({ clientId: 'bench-env', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await kafka.connect();
  const cluster = await kafka.describeCluster();
  await kafka.disconnect();
  return {
    machine: { cpu: cpu[0]?.model.trim(), cores: cpu.length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), os: `${platform()} ${release()}` },
    versions: {
      node: process.version,
      postgresql: pg?.server_version,
      kafkaBroker: `${kafkaVersion()} (${cluster.brokers.length} broker, KRaft)`,
      kafkajs: packageVersion('kafkajs'),
      '@prisma/client': packageVersion('@prisma/client'),
      pg: packageVersion('pg'),
    },
    postgresSettings: { synchronous_commit: pg?.synchronous_commit, shared_buffers: pg?.shared_buffers },
    serviceUnderTest: `${o.serviceRoot} @ ${gitState(o.serviceRoot)}`,
    loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

/**
 * dist/ is shared by everyone working in the tree: a rebuild in the middle of
 * a long run would change the service between measurements. Every service
 * process runs from a private copy of dist/ taken once at the start.
 */
function snapshotService(root: string, workDir: string, stamp: string): string {
  const snap = join(workDir, `service-${stamp}`);
  cpSync(join(root, 'dist'), join(snap, 'dist'), { recursive: true, filter: (src) => !src.includes(`${join(root, 'dist', 'bench')}`) });
  symlinkSync(join(root, 'node_modules'), join(snap, 'node_modules'));
  writeFileSync(join(snap, 'BENCH_SOURCE'), `copy of ${root}/dist: ${gitState(root)}\n`);
  return snap;
}

function ordersFor(workload: Workload, catalog: CatalogIds, n: number, seed: number, tag: string): BenchOrder[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const p = workload === 'hot' ? catalog.hot : catalog.products[Math.floor(random() * catalog.products.length)]!;
    return { orderId: `${tag}-${i}`, productId: p.productId, warehouseId: p.warehouseId };
  });
}

interface WorkloadResult {
  baseline: BaselineResult[];
  limit: LimitResult[];
  service: Record<number, ServiceResult[]>;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = new Date();
  log(`inventory benchmark ${started.toISOString()}`);
  log(`command: npm run bench -- ${process.argv.slice(2).join(' ')}`);
  const broker = spawnSync('bash', [join(REPO, 'scripts', 'kafka-start.sh')], { encoding: 'utf8' });
  if (broker.status !== 0) throw new Error(`kafka-start.sh failed:\n${broker.stderr}`);
  const workDir = join(tmpdir(), 'inventory-bench');
  mkdirSync(workDir, { recursive: true });
  const stamp = Date.now().toString(36);
  const serviceRoot = snapshotService(o.serviceRoot, workDir, stamp);
  let unpin = () => undefined as void;
  if (o.pinning) {
    const [pg] = await sql<{ data_directory: string }>(withDatabase(PG_BASE, 'postgres'), `SELECT current_setting('data_directory') AS data_directory`);
    unpin = pinOthers(o.pinning, postmasterPid(pg!.data_directory), BROKER_PID_FILE);
  }
  try {
    await measure(o, started, serviceRoot, workDir, stamp);
  } finally {
    unpin();
  }
}

async function measure(o: Options, started: Date, serviceRoot: string, workDir: string, stamp: string): Promise<void> {
  const env = await environment(o);
  for (const [k, v] of Object.entries(env)) log(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);

  log(`\ncatalogue: ${PRODUCTS} products over 2 warehouses (2 locations each) + 1 hot sku, into ${CATALOG_DB} (dropped and re-created)`);
  await admin(`DROP DATABASE IF EXISTS ${CATALOG_DB} WITH (FORCE)`);
  await migrate(PG_BASE, join(o.serviceRoot, 'prisma', 'migrations'));
  const catalog = await loadCatalog(PG_BASE);
  log(
    `  imported through importMasterData in ${(catalog.importMs / 1000).toFixed(1)} s; every measurement runs on its own copy (CREATE DATABASE ... TEMPLATE)`,
  );
  log(`baseline: raw SQL through pg, ${o.concurrency} workers, one transaction per event`);
  log(
    `limit: raw SQL through pg, ${o.limitConnections} connections, one statement per run of ${o.limitBatch ?? "the service's events per transaction (throughput phase of the last service run)"} events, then the relay's published UPDATE`,
  );
  log(`service: ${PARTITIONS} partitions, node dist/src/main.js as ${o.instances.join(' / ')} child process(es), LOG_LEVEL=warn`);
  if (o.pinning)
    log(
      `pinned: the service processes on CPU(s) ${o.pinning.serviceCpus}; PostgreSQL, the Kafka broker and the bench on CPU(s) ${o.pinning.othersCpus} (taskset)`,
    );

  const results: Record<string, WorkloadResult> = {};
  let run = 0;
  for (const workload of o.workloads) {
    const r: WorkloadResult = { baseline: [], limit: [], service: {} };
    results[workload] = r;
    const orders = ordersFor(workload, catalog, o.orders, o.seed, 'o');
    const latencyOrders = ordersFor(workload, catalog, 100_000, o.seed + 1, 'lat');
    // Baseline and service runs alternate, so that a noisy minute hurts both alike.
    for (let rep = 1; rep <= Math.max(o.repeat, o.serviceRepeat); rep++) {
      if (rep <= o.repeat) {
        log(`\n[${workload}] baseline ${rep}/${o.repeat}, ${o.orders} events`);
        const b = await cloneCatalog(`${CATALOG_DB}_baseline`);
        try {
          const res = await runBaseline(b.url, orders, o.concurrency);
          r.baseline.push(res);
          log(
            `    ${res.eventsPerSecond.toFixed(0)} events/s (${(res.elapsedMs / 1000).toFixed(1)} s), check ${res.check.ok ? 'ok' : `FAILED ${JSON.stringify(res.check)}`}`,
          );
        } finally {
          await b.drop();
        }
      }
      for (const instances of rep <= o.serviceRepeat ? o.instances : []) {
        const prefix = `bench-${stamp}-${++run}.`;
        log(`[${workload}] service x${instances} ${rep}/${o.serviceRepeat}, ${o.orders} events, topics ${prefix}*`);
        const s = await cloneCatalog(`${CATALOG_DB}_service`);
        try {
          const res = await runService({
            serviceRoot,
            databaseUrl: s.url,
            brokers: BROKERS,
            prefix,
            partitions: PARTITIONS,
            instances,
            orders,
            latencyOrder: (i) => latencyOrders[i % latencyOrders.length]!,
            latencyRate: o.rate,
            latencySeconds: o.latencySeconds,
            fixedRate: o.fixedRate,
            readRate: o.readRate,
            readSeconds: o.readSeconds,
            readSkus: catalog.skus,
            seed: o.seed,
            workDir,
            profile: o.profile,
            pinning: o.pinning,
            log,
          });
          (r.service[instances] ??= []).push(res);
          const l = res.latency;
          log(
            `    latency to readable at ${l.rate}/s (${l.sent} events): p50 ${fmt(l.p50)} ms, p95 ${fmt(l.p95)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms; p50 of the last quarter ${fmt(l.p50LastQuarter)} ms, ${l.backlogAtEnd} without outcome when pacing stopped`,
          );
          log(stagesLine(l));
          const f = res.fixedRate;
          if (f) {
            log(
              `    latency to readable at ${f.rate}/s (${f.sent} events): p50 ${fmt(f.p50)} ms, p95 ${fmt(f.p95)} ms, p99 ${fmt(f.p99)} ms, max ${fmt(f.max)} ms; ${f.backlogAtEnd} without outcome when pacing stopped`,
            );
            log(stagesLine(f));
          }
          if (res.reads) {
            const { alone, withWrites, writes } = res.reads;
            log(formatReads('reads alone', alone));
            log(formatReads('reads with writes', withWrites));
            log(
              `    writes during the reads: ${writes.outcomesPerSecond.toFixed(0)} outcomes/s of ${writes.rate} events/s paced (${writes.sent} sent, ${writes.backlogAtEnd} without outcome when pacing stopped), latency to readable p50 ${fmt(writes.latency.p50)} ms, p99 ${fmt(writes.latency.p99)} ms (without reads: p99 ${fmt(l.p99)} ms)   read target p99 <= ${TARGETS.readP99Ms} ms alone: ${alone.p99 <= TARGETS.readP99Ms ? 'met' : 'not met'}`,
            );
          }
          log(
            `    check ${res.check.ok ? 'ok' : 'FAILED'}: reserved ${res.check.reservedSum} = StockReserved ${res.check.stockReserved}, drift rows ${res.check.driftRows}, processed ${res.check.processedEvents}, dead letters ${res.check.deadLetters}`,
          );
          if (res.statements)
            log(
              `    ${res.statements.perEvent.toFixed(2)} statements/event, ${fmt(res.statements.eventsPerTransaction, 1)} events/transaction (throughput phase: ${fmt(res.throughputEventsPerTransaction, 1)}), ${res.statements.msPerEvent.toFixed(2)} ms of statement time/event, service CPU ${res.statements.cpuMsPerEvent.toFixed(2)} ms/event`,
            );
          log(
            `    machine CPU busy ${fmt(res.cpu.machineBusyPercent)}% of ${cpus().length} cores in the throughput phase, ${fmt(res.cpu.latencyPhaseMachineBusyPercent)}% in the latency phase; broker CPU ${res.cpu.brokerMsPerEvent === null ? 'n/a' : res.cpu.brokerMsPerEvent.toFixed(2)} ms/event`,
          );
        } finally {
          await s.drop();
        }
      }
      if (rep <= o.repeat) {
        // As large as the service's transactions in the throughput phase of its last run (before any: the service's cap, 400).
        const measured = r.service[o.instances[0]!]?.at(-1)?.throughputEventsPerTransaction ?? Number.NaN;
        const batch = o.limitBatch ?? Math.max(1, Math.round(Number.isFinite(measured) ? measured : 400));
        log(`[${workload}] limit ${rep}/${o.repeat}, ${o.orders} events, runs of ${batch}`);
        const b = await cloneCatalog(`${CATALOG_DB}_limit`);
        try {
          const res = await runLimit(b.url, orders, batch, o.limitConnections);
          r.limit.push(res);
          log(
            `    ${res.eventsPerSecond.toFixed(0)} events/s (${(res.elapsedMs / 1000).toFixed(1)} s), ${res.deadlocks} deadlocks retried, check ${res.check.ok ? 'ok' : `FAILED ${JSON.stringify(res.check)}`}`,
          );
        } finally {
          await b.drop();
        }
      }
    }
  }
  rmSync(serviceRoot, { recursive: true, force: true });
  const summary = summarize(o, results);
  if (o.json) {
    mkdirSync(dirname(o.json), { recursive: true });
    writeFileSync(
      o.json,
      `${JSON.stringify({ date: started.toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`, options: o, environment: env, summary, results }, null, 2)}\n`,
    );
    log(`\nJSON written to ${o.json}`);
  }
}

function stagesLine(l: ServiceResult['latency']): string {
  const stage = (name: string, x: LatencySummary) => `${name} p50 ${fmt(x.p50)} / p99 ${fmt(x.p99)} ms`;
  const transactions = l.transactions ? `; the service's transactions meanwhile: ${l.transactions.count}, ${stage('BEGIN to COMMIT', l.transactions)}` : '';
  return `      stages: ${stage('sent -> transaction start', l.stages.toTransaction)}; ${stage('-> outcome readable', l.stages.toReadable)}; ${stage('-> read by the bench', l.stages.toRead)}; ${stage('sent -> read by the bench:', l.readByBench)}${transactions}`;
}

function summarize(o: Options, results: Record<string, WorkloadResult>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  log(`\n==== summary (medians: baseline of ${o.repeat} run(s), service of ${o.serviceRepeat}; ${o.orders} events per run) ====`);
  for (const [workload, r] of Object.entries(results)) {
    const base = median(r.baseline.map((b) => b.eventsPerSecond));
    const target = workload === 'hot' ? TARGETS.hotRatio : TARGETS.distinctRatio;
    log(`\n${workload === 'hot' ? 'hot SKU (every order the same product)' : `distinct SKUs (random of ${PRODUCTS})`}`);
    log(`  baseline raw SQL, ${o.concurrency} workers:  ${fmt(base)} events/s   runs: ${r.baseline.map((b) => fmt(b.eventsPerSecond)).join(', ')}`);
    const limit = median(r.limit.map((b) => b.eventsPerSecond));
    log(
      `  limit set-based SQL, ${o.limitConnections} connections, runs of ${r.limit.map((b) => b.batch).join('/')}:  ${fmt(limit)} events/s   runs: ${r.limit.map((b) => fmt(b.eventsPerSecond)).join(', ')}   (limit/baseline ${fmt(limit / base, 2)}x)`,
    );
    const one = median(r.service[o.instances[0]!]?.map((s) => s.eventsPerSecond) ?? []);
    const perInstances: Record<string, unknown> = {};
    for (const instances of o.instances) {
      const runs = r.service[instances] ?? [];
      const eps = median(runs.map((s) => s.eventsPerSecond));
      const p = (k: 'p50' | 'p95' | 'p99') => median(runs.map((s) => s.latency[k]));
      const stmts = median(runs.map((s) => s.statements?.perEvent ?? Number.NaN));
      const perTxn = median(runs.map((s) => s.statements?.eventsPerTransaction ?? Number.NaN));
      const ok = runs.every((s) => s.check.ok);
      log(
        `  service x${instances}:  ${fmt(eps)} events/s (steady ${fmt(median(runs.map((s) => s.steadyEventsPerSecond)))})   runs: ${runs.map((s) => fmt(s.eventsPerSecond)).join(', ')}`,
      );
      log(
        `    service/baseline ${fmt(eps / base, 2)}x   target >= ${target}x: ${eps / base >= target ? 'met' : 'not met'}   service/limit ${fmt(eps / limit, 2)}x   target >= ${TARGETS.limitRatio}x: ${eps / limit >= TARGETS.limitRatio ? 'met' : 'not met'}${instances !== o.instances[0] ? `   scale-out vs x${o.instances[0]}: ${fmt(eps / one, 2)}x` : ''}`,
      );
      const readP99 = median(runs.map((s) => s.latency.readByBench.p99));
      log(
        `    latency to readable at ${fmt(median(runs.map((s) => s.latency.rate)))} events/s (${o.rate ? 'the --rate given' : 'half the peak'}): p50 ${fmt(p('p50'))} ms, p95 ${fmt(p('p95'))} ms, p99 ${fmt(p('p99'))} ms   target p99 <= ${TARGETS.p99Ms} ms: ${p('p99') <= TARGETS.p99Ms ? 'met' : 'not met'}   (to read by the bench: p99 ${fmt(readP99)} ms)`,
      );
      const fixed = runs.map((s) => s.fixedRate).filter((f) => f !== null);
      const fixedP99 = median(fixed.map((f) => f.p99));
      if (fixed.length > 0)
        log(
          `    latency to readable at ${fmt(median(fixed.map((f) => f.rate)))} events/s (fixed rate): p50 ${fmt(median(fixed.map((f) => f.p50)))} ms, p95 ${fmt(median(fixed.map((f) => f.p95)))} ms, p99 ${fmt(fixedP99)} ms   target p99 <= ${TARGETS.fixedRateP99Ms} ms: ${fixedP99 <= TARGETS.fixedRateP99Ms ? 'met' : 'not met'}   runs p99: ${fixed.map((f) => fmt(f.p99)).join(', ')}`,
        );
      log(`    ${fmt(stmts, 2)} statements/event, ${fmt(perTxn, 1)} events/transaction; correctness ${ok ? 'ok in every run' : 'FAILED (see above)'}`);
      perInstances[instances] = {
        eventsPerSecond: eps,
        ratio: eps / base,
        ratioTarget: target,
        ratioMet: eps / base >= target,
        limitRatio: eps / limit,
        limitRatioMet: eps / limit >= TARGETS.limitRatio,
        fixedRateLatencyMs: fixed.length > 0 ? { rate: median(fixed.map((f) => f.rate)), p50: median(fixed.map((f) => f.p50)), p99: fixedP99 } : null,
        latencyMs: { p50: p('p50'), p95: p('p95'), p99: p('p99'), readByBenchP99: readP99 },
        p99Met: p('p99') <= TARGETS.p99Ms,
        statementsPerEvent: stmts,
        eventsPerTransaction: perTxn,
        correct: ok,
      };
    }
    const breakdown = r.service[o.instances[0]!]?.at(-1)?.statements;
    if (breakdown) {
      const txn = breakdown.eventsPerTransaction;
      log(`  statements (service x${o.instances[0]}, last run; ${fmt(txn, 1)} events per transaction): per event, per transaction, client-side ms per event:`);
      for (const s of breakdown.byKind.slice(0, 24))
        log(
          `    ${s.perEvent.toFixed(3).padStart(7)} ${fmt(s.perEvent * txn, 2).padStart(6)}  ${s.msPerEvent.toFixed(3).padStart(7)} ms  ${s.kind.padEnd(36)} ${s.sample.slice(0, 70)}`,
        );
      log(`    service process CPU: ${breakdown.cpuMsPerEvent.toFixed(2)} ms/event (all instances, incl. start-up)`);
    }
    const profile = r.service[o.instances[0]!]?.at(-1)?.profile;
    if (profile) {
      log(`  service CPU by package (--profile, service x${o.instances[0]}, last run), ms/event and share:`);
      for (const p of profile.filter((x) => x.percent >= 0.5))
        log(`    ${p.msPerEvent.toFixed(3).padStart(7)} ms  ${p.percent.toFixed(1).padStart(5)}%  ${p.who}`);
    }
    out[workload] = { baselineEventsPerSecond: base, limitEventsPerSecond: limit, service: perInstances };
  }
  return out;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`benchmark failed: ${text.length > 4000 ? `${text.slice(0, 4000)} ...` : text}\n`);
    process.exit(1);
  },
);
