import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT, runCommand, waitFor } from './exec';

/**
 * The service as a real process (`node <build>/src/main.js`), as operators run
 * it, so that SIGKILL means what it means in production: no shutdown hook, no
 * flush, sockets closed by the kernel.
 *
 * The code under test is compiled once per test file into a private folder
 * (.cache/faults-dist/<pid>), not dist/: other engineers build into dist/ at
 * the same time, and a stale or half-written dist/ would test the wrong code.
 * FAULTS_SERVICE_ENTRY=<path to main.js> uses an existing build instead.
 */
let built: string | null = null;
const buildDir = join(ROOT, '.cache', 'faults-dist', String(process.pid));

export async function buildService(): Promise<string> {
  if (process.env.FAULTS_SERVICE_ENTRY) return process.env.FAULTS_SERVICE_ENTRY;
  if (built) return built;
  rmSync(buildDir, { recursive: true, force: true });
  await runCommand(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', buildDir], { timeoutMs: 180_000 });
  await runCommand(process.execPath, [join(ROOT, 'scripts', 'copy-console-assets.js'), buildDir], { timeoutMs: 60_000 });
  built = join(buildDir, 'src', 'main.js');
  if (!existsSync(built)) throw new Error(`build produced no ${built}`);
  return built;
}

/** Removes this process's private build (afterAll of the last user; harmless twice). */
export function removeBuild(): void {
  if (!process.env.FAULTS_SERVICE_ENTRY) rmSync(buildDir, { recursive: true, force: true });
  built = null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceEnv {
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
  KAFKA_TOPIC_PREFIX: string;
  KAFKA_GROUP_ID: string;
  LOG_LEVEL?: string;
  [key: string]: string | undefined;
}

const live = new Set<ChildProcess>();
// Never leave a service behind when jest exits (a failed assertion, a timeout).
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<ExitInfo> | null = null;
  /** Every start of this instance, with its pid, and how each run ended. */
  readonly runs: { pid: number; startedAt: number; exit?: ExitInfo }[] = [];
  httpPort = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: ServiceEnv,
    /** stdout and stderr of every run are appended here (JSON log lines). */
    readonly logFile: string,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process (on a new free HTTP port each time) and waits until /readyz answers 200. */
  async start(readyTimeoutMs = 120_000): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    mkdirSync(join(this.logFile, '..'), { recursive: true });
    this.httpPort = await freePort();
    // The child writes straight into the file: a SIGKILL loses no line already logged.
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [this.entry], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'info',
        HTTP_HOST: '127.0.0.1',
        API_HOST: '127.0.0.1',
        API_PORT: '0',
        ...this.env,
        HTTP_PORT: String(this.httpPort),
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    live.add(child);
    const run: (typeof this.runs)[number] = { pid: child.pid ?? -1, startedAt: Date.now() };
    this.runs.push(run);
    this.exitPromise = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        run.exit = { code, signal };
        resolve(run.exit);
      });
    });
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`${this.name} exited during startup: ${JSON.stringify(run.exit)}; see ${this.logFile}`);
        return (await this.readyz()) === 200;
      },
      readyTimeoutMs,
      `${this.name} to be ready (GET /readyz 200)`,
      200,
    ).catch((error: Error) => {
      // waitFor swallows the condition's error until the deadline; an exit is final.
      throw new Error(`${error.message}\n--- last log lines of ${this.name} ---\n${tail(this.logFile, 20)}`);
    });
  }

  /** GET /readyz status code, or 0 when nothing answers. */
  async readyz(timeoutMs = 3000): Promise<number> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.httpPort}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      await response.text();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** GET /metrics text, or null. */
  async metrics(timeoutMs = 3000): Promise<string | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      return response.ok ? await response.text() : null;
    } catch {
      return null;
    }
  }

  /** Sends the signal and waits for the exit (bounded). SIGKILL: the crash under test. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 60_000): Promise<ExitInfo> {
    const child = this.child;
    if (!child || !this.exitPromise) throw new Error(`${this.name} is not running`);
    if (this.running) child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([this.exitPromise, new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)))]);
    clearTimeout(timer);
    if (!exit) {
      child.kill('SIGKILL');
      throw new Error(`${this.name} (pid ${child.pid}) did not exit within ${timeoutMs} ms of ${signal}`);
    }
    this.child = null;
    return exit;
  }

  /** Graceful stop (SIGTERM: the service drains and exits within SHUTDOWN_TIMEOUT_MS), SIGKILL if it hangs. */
  async stop(timeoutMs = 45_000): Promise<ExitInfo | null> {
    if (!this.running) return this.runs.at(-1)?.exit ?? null;
    try {
      return await this.kill('SIGTERM', timeoutMs);
    } catch {
      return this.runs.at(-1)?.exit ?? null;
    }
  }
}

/** The last n lines of a file (diagnostics in failure messages). */
export function tail(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .slice(-n - 1)
      .join('\n');
  } catch {
    return '';
  }
}

export interface LogLine {
  level?: number;
  msg?: string;
  time?: number;
  [key: string]: unknown;
}

/** The JSON lines of a log file (anything else, e.g. a stack trace on stderr, is skipped). */
export function readLogLines(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  const lines: LogLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // a line cut by SIGKILL mid-write
    }
  }
  return lines;
}
