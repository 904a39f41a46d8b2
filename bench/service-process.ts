import { pinnedCommand, type Pinning } from './pinning';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueryStatsFile } from './query-counter';
import { BENCH_API_TOKEN } from './read-phase';

export interface ServiceProcessOptions {
  /** Folder whose dist/src/main.js is run (the service under test). */
  serviceRoot: string;
  databaseUrl: string;
  brokers: string[];
  prefix: string;
  partitions: number;
  workDir: string;
  profile?: boolean;
  /** The query API's port per instance (index 1 first); absent: the API is on a free port nobody asks. */
  apiPorts?: readonly number[];
  /** --service-cpus: the CPUs the service processes run on. */
  pinning?: Pinning;
}

export interface StatementStat {
  kind: string;
  perEvent: number;
  msPerEvent: number;
  sample: string;
}

export interface StatementSummary {
  perEvent: number;
  msPerEvent: number;
  eventsPerTransaction: number;
  byKind: StatementStat[];
  cpuMsPerEvent: number;
  /** Every transaction of the service processes: [COMMIT answered at (ms since the epoch), wall time BEGIN to COMMIT (ms)]. */
  transactions: [number, number][];
}

/** One `node dist/src/main.js` with the query counter preloaded. */
export class ServiceProcess {
  readonly logFile: string;
  readonly statsFile: string;
  exited = false;
  exitCode: number | null = null;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly done: Promise<void>;

  constructor(
    opts: ServiceProcessOptions,
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
      // The query API on loopback, with the bench's token and no limit the read phase would hit.
      API_HOST: '127.0.0.1',
      API_PORT: String(opts.apiPorts?.[index - 1] ?? 0),
      API_TOKENS: `bench:${BENCH_API_TOKEN}:read`,
      API_RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: 'warn',
      BENCH_QUERY_STATS: this.statsFile,
    };
    const profiling = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(opts)}`] : [];
    const [command, args] = pinnedCommand(opts.pinning, process.execPath, [
      ...profiling,
      '-r',
      join(__dirname, 'query-counter.js'),
      join(opts.serviceRoot, 'dist', 'src', 'main.js'),
    ]);
    this.child = spawn(command, args, {
      cwd: opts.serviceRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

export function profileDir(opts: Pick<ServiceProcessOptions, 'workDir' | 'prefix'>): string {
  return join(opts.workDir, `${opts.prefix}profiles`);
}

export function statementStats(services: ServiceProcess[], events: number): StatementSummary | null {
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
  const list = [...byKind]
    .map(([kind, s]) => ({ kind, perEvent: s.count / events, msPerEvent: s.ms / events, sample: s.sample }))
    .sort((a, b) => b.perEvent - a.perEvent || b.msPerEvent - a.msPerEvent);
  const commits = byKind.get('COMMIT')?.count ?? 0;
  return {
    perEvent: list.reduce((a, s) => a + s.perEvent, 0),
    eventsPerTransaction: commits > 0 ? events / commits : Number.NaN,
    msPerEvent: list.reduce((a, s) => a + s.msPerEvent, 0),
    byKind: list,
    cpuMsPerEvent: cpuMs / events,
    transactions: files.flatMap((f) => f.transactions ?? []),
  };
}
