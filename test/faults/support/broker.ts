import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCommand, sleep, waitFor } from './exec';

/**
 * A Kafka broker of the fault suite's own (default 127.0.0.1:19092, controller
 * 19093, data in /tmp/inventory-kafka-19092), started and stopped with the
 * project's scripts/kafka-start.sh and kafka-stop.sh. The shared broker on
 * 9092 is never restarted: other tests use it.
 */
export class Broker {
  readonly dataDir: string;
  private startedHere = false;

  constructor(
    readonly port = Number(process.env.FAULTS_KAFKA_PORT ?? 19092),
    readonly controllerPort = Number(process.env.FAULTS_KAFKA_CONTROLLER_PORT ?? 19093),
  ) {
    if (this.port === 9092 || this.controllerPort === 9093) throw new Error('refusing to manage the shared broker on 9092/9093');
    this.dataDir = `/tmp/inventory-kafka-${this.port}`;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.controllerPort), KAFKA_DATA_DIR: this.dataDir };
  }

  /** Starts it (harmless when it runs already: the script says so). */
  async start(): Promise<void> {
    const wasRunning = this.pid() !== null;
    await runCommand('bash', [join(ROOT, 'scripts', 'kafka-start.sh')], { timeoutMs: 240_000, env: this.env() });
    if (!wasRunning) this.startedHere = true;
  }

  /** Controlled shutdown (SIGTERM, the script escalates to SIGKILL after 30 s). */
  async stopGracefully(): Promise<void> {
    await runCommand('bash', [join(ROOT, 'scripts', 'kafka-stop.sh')], { timeoutMs: 90_000, env: this.env() });
  }

  /** SIGKILL of the broker JVM: no controlled shutdown, the next start recovers its logs. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid === null) return;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !alive(pid), 30_000, `broker pid ${pid} to exit`);
  }

  /** Stop (gracefully or by SIGKILL), stay down for downMs, start again; returns how long it was away. */
  async restart(options: { hard?: boolean; downMs?: number } = {}): Promise<{ outageMs: number }> {
    const began = Date.now();
    if (options.hard) await this.kill();
    else await this.stopGracefully();
    if (options.downMs) await sleep(options.downMs);
    await runCommand('bash', [join(ROOT, 'scripts', 'kafka-start.sh')], { timeoutMs: 240_000, env: this.env() });
    return { outageMs: Date.now() - began };
  }

  /** Stops the broker if this object started it (FAULTS_KEEP_BROKER=1 keeps it for the next run). */
  async stop(): Promise<void> {
    if (this.startedHere && process.env.FAULTS_KEEP_BROKER !== '1') await this.stopGracefully();
  }

  /** The broker JVM's pid when the script's pid file names a live kafka.Kafka process. */
  pid(): number | null {
    const file = join(this.dataDir, 'broker.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!pid || !alive(pid)) return null;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka') ? pid : null;
    } catch {
      return null;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
