import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, chownSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate } from '../../../src/db/migrate';
import { runCommand, waitFor } from './exec';

/**
 * A PostgreSQL cluster of the fault suite's own (default port 55432, data in
 * /tmp/inventory-pg-55432), so that "restart PostgreSQL" never touches the
 * machine's cluster on 5432 that everyone else's tests use. Created with
 * initdb on first use; pg_ctl runs as the postgres OS user (it refuses root).
 */
export class PgCluster {
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  private startedHere = false;

  constructor(
    readonly port = Number(process.env.FAULTS_PG_PORT ?? 55432),
    readonly binDir = process.env.FAULTS_PG_BIN ?? findPgBin(),
  ) {
    if (this.port === 5432) throw new Error('refusing to manage the machine PostgreSQL on port 5432');
    this.dir = `/tmp/inventory-pg-${this.port}`;
    this.dataDir = join(this.dir, 'data');
    this.logFile = join(this.dir, 'postgres.log');
  }

  /** postgresql:// URL of one database of this cluster. */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private bin(name: string): string {
    return join(this.binDir, name);
  }

  private pgCtl(args: string[], timeoutMs = 90_000) {
    return runCommand(this.bin('pg_ctl'), ['-D', this.dataDir, ...args], { timeoutMs, asUser: 'postgres' });
  }

  /** initdb when there is no cluster yet, then start it unless it runs already. */
  async start(): Promise<void> {
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) {
      mkdirSync(this.dir, { recursive: true });
      if (process.getuid?.() === 0) {
        const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
        const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
        chownSync(this.dir, uid, gid);
      }
      chmodSync(this.dir, 0o700);
      await runCommand(this.bin('initdb'), ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
        timeoutMs: 120_000,
        asUser: 'postgres',
      });
    }
    if (!(await this.running())) {
      await this.pgCtl(['-o', this.serverOptions(), '-l', this.logFile, '-w', '-t', '60', 'start']);
      this.startedHere = true;
    }
    await this.waitUntilAccepting();
  }

  private serverOptions(): string {
    return `-p ${this.port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200`;
  }

  async running(): Promise<boolean> {
    try {
      await this.pgCtl(['status'], 15_000);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * `fast`: pg_ctl restart -m fast (every session is terminated with 57P01, a
   * clean shutdown checkpoint, then start). `immediate`: stop -m immediate (no
   * checkpoint: the next start runs crash recovery), stay down for downMs, start.
   */
  async restart(mode: 'fast' | 'immediate', downMs = 0): Promise<{ downMs: number }> {
    const began = Date.now();
    if (mode === 'fast' && downMs === 0) {
      await this.pgCtl(['-o', this.serverOptions(), '-l', this.logFile, '-m', 'fast', '-w', '-t', '60', 'restart']);
    } else {
      await this.pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await this.pgCtl(['-o', this.serverOptions(), '-l', this.logFile, '-w', '-t', '60', 'start']);
    }
    await this.waitUntilAccepting();
    return { downMs: Date.now() - began };
  }

  /** Stops the cluster if this object started it (or always, with force). */
  async stop(force = false): Promise<void> {
    if (!force && !this.startedHere) return;
    if (await this.running()) await this.pgCtl(['-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  private async waitUntilAccepting(): Promise<void> {
    await waitFor(
      async () => {
        const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 2000 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      60_000,
      `PostgreSQL on port ${this.port}`,
      250,
    );
  }

  /** A fresh database on this cluster with the project's migrations applied (src/db/migrate.ts). */
  async createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
    const name = `inventory_f_${randomBytes(5).toString('hex')}`;
    const url = this.url(name);
    await migrate(url);
    return {
      url,
      drop: async () => {
        const admin = new Client({ connectionString: this.url() });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      },
    };
  }
}

function findPgBin(): string {
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return '/usr/lib/postgresql/15/bin';
}
