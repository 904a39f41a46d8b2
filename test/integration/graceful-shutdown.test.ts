import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Producer } from 'kafkajs';
import { createTestDatabase } from '../support/database';
import { envelope, randomPrefix, testKafka, TopicRecorder, waitUntil } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/client';
import { createKafka } from '../../src/kafka';
import { ensureTopics } from '../../src/kafka-topics';
import { createLogger } from '../../src/logger';
import { importMasterData } from '../../src/master-data/import';
import { topicName, topics } from '../../src/contracts';

/**
 * The real process (`node dist/src/main.js`), stopped with SIGTERM while it is
 * working through a backlog. Compiled into a folder of this test's own
 * (.cache/), so it never races another build writing dist/.
 */
const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, '.cache', 'ops-test-dist');
const SHUTDOWN_TIMEOUT_MS = 20_000;

interface Running {
  child: ChildProcess;
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('graceful shutdown of the real process', () => {
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  let prefix: string;
  let producer: Producer;
  let recorder: TopicRecorder;
  let pg: Client;
  const children: ChildProcess[] = [];
  const ids: string[] = [];

  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}inventory`,
      KAFKA_TOPIC_PARTITIONS: '3',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      // Several services of the suite may run at once: the query API on a free loopback port too.
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '5',
      OUTBOX_POLL_MS: '50',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      ...extra,
    };
  }

  function node(script: string, args: string[], extra: Record<string, string> = {}): Running {
    const child = spawn(process.execPath, [join(DIST, 'src', script), ...args], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const logs: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop()!;
        logs.push(...parts);
      });
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, logs, exited };
  }

  async function startMain(): Promise<Running> {
    const running = node('main.js', []);
    await waitUntil(
      () => running.logs.some((l) => l.includes('"msg":"inventory service started"')) || running.child.exitCode !== null,
      60_000,
      'service did not start',
    );
    if (running.child.exitCode !== null) throw new Error(`service exited at start:\n${running.logs.join('\n')}`);
    return running;
  }

  async function processedCount(): Promise<number> {
    return Number((await pg.query('SELECT count(*) AS n FROM processed_event')).rows[0].n);
  }

  /** Per inbound event: [processed, reservation, ledger, outbox] row counts. */
  async function footprints(): Promise<Map<string, number[]>> {
    const { rows } = await pg.query<{ id: string; p: string; r: string; l: string; o: string }>(
      `SELECT e.id::text,
              (SELECT count(*) FROM processed_event WHERE event_id = e.id) AS p,
              (SELECT count(*) FROM reservation WHERE event_id = e.id) AS r,
              (SELECT count(*) FROM inventory_transaction WHERE event_id = e.id) AS l,
              (SELECT count(*) FROM outbox_event WHERE envelope->>'causationId' = e.id::text) AS o
         FROM unnest($1::uuid[]) AS e(id)`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, [r.p, r.r, r.l, r.o].map(Number)]));
  }

  async function stopWithSigterm(running: Running): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    return { code, ms: Date.now() - started };
  }

  beforeAll(async () => {
    // tsc emits even when someone else's file in the tree has a type error; what matters is a fresh main.js.
    const buildStart = Date.now();
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', DIST], { cwd: ROOT, encoding: 'utf8' });
    for (const f of ['main.js', 'cli.js']) {
      const file = join(DIST, 'src', f);
      if (!existsSync(file) || statSync(file).mtimeMs < buildStart - 1000) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
    }

    const database = await createTestDatabase();
    databaseUrl = database.url;
    dropDatabase = database.drop;
    prefix = randomPrefix();
    const config = loadConfig(env());
    await ensureTopics(createKafka(config, createLogger('silent')), prefix, 3, 1);
    const db = createDb(databaseUrl, 2);
    await importMasterData(db, smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 100_000 }]));
    await db.$disconnect();
    pg = new Client({ connectionString: databaseUrl });
    await pg.connect();

    const kafka = testKafka();
    producer = kafka.producer();
    await producer.connect();
    recorder = await new TopicRecorder(kafka, [topicName(topics.inventoryEvents, prefix)]).start();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await recorder?.stop();
    await producer?.disconnect();
    await pg?.end();
    await dropDatabase?.();
  });

  it('SIGTERM mid-stream: each event fully applied or not at all, exit 0 in time; a restart processes the rest exactly once', async () => {
    // Orders keep arriving (200 a second) before, during and just after the stop,
    // so the signal lands mid-stream however fast this machine is.
    const message = (i: number) => {
      const e = envelope({ eventType: 'OrderPlaced', payload: { orderId: `sd-${i}`, warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } });
      ids.push(e.eventId);
      return { key: `sd-${i}`, value: JSON.stringify(e), headers: { 'event-type': e.eventType, 'event-id': e.eventId } };
    };
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing;) {
        await producer.send({ topic: topicName(topics.orders, prefix), messages: Array.from({ length: 10 }, () => message(i++)) });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const first = await startMain();
    await waitUntil(async () => (await processedCount()) >= 30, 60_000, 'nothing processed');
    const stopping = stopWithSigterm(first);
    await new Promise((r) => setTimeout(r, 300));
    publishing = false;
    await publisher;
    const N = ids.length;
    const stopped = await stopping;
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(first.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

    // All or nothing per event, and it really was mid-stream.
    const after = await footprints();
    const applied = [...after.values()].filter((f) => f.join() === '1,1,1,1').length;
    const untouched = [...after.values()].filter((f) => f.join() === '0,0,0,0').length;
    expect(applied + untouched).toBe(N);
    expect(applied).toBeGreaterThanOrEqual(30);
    expect(applied).toBeLessThan(N);
    // The outbox was flushed on the way out.
    expect(Number((await pg.query('SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL')).rows[0].n)).toBe(0);
    // Offsets were committed for everything applied: per partition, the committed offset is one past the last processed.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: `${prefix}inventory`, topics: [topicName(topics.orders, prefix)] });
      const { rows } = await pg.query<{ partition: number; next: string }>(
        'SELECT partition, (max("offset") + 1)::text AS next FROM processed_event GROUP BY partition',
      );
      for (const row of rows) expect(committed!.partitions.find((p) => p.partition === row.partition)?.offset).toBe(row.next);
    } finally {
      await admin.disconnect();
    }

    const second = await startMain();
    await waitUntil(async () => (await processedCount()) === N, 90_000, 'the rest was not processed after the restart');
    expect((await stopWithSigterm(second)).code).toBe(0);

    const final = await footprints();
    expect([...final.values()].every((f) => f.join() === '1,1,1,1')).toBe(true);
    const { rows: stock } = await pg.query('SELECT quantity_on_hand, quantity_reserved FROM inventory');
    expect(stock).toEqual([{ quantity_on_hand: 100_000, quantity_reserved: N }]);
    // Exactly one StockReserved per order on Kafka: nothing lost, nothing sent twice.
    await recorder.waitFor((ms) => ms.length >= N, 30_000, `${N} outcomes`);
    const causes = recorder.messages.map((m) => m.envelope?.causationId);
    expect(causes).toHaveLength(N);
    expect(new Set(causes).size).toBe(N);

    // The compiled CLI agrees: no drift (exit 0); a wrong call is exit 2.
    const reconcile = spawnSync(process.execPath, [join(DIST, 'src', 'cli.js'), 'reconcile'], { env: env(), encoding: 'utf8' });
    expect({ status: reconcile.status, stdout: reconcile.stdout }).toEqual({
      status: 0,
      stdout: 'clean: 1 (product, location) places agree with the ledger and reservations\n',
    });
    const wrong = spawnSync(process.execPath, [join(DIST, 'src', 'cli.js'), 'reconcile', '--bogus'], { env: env(), encoding: 'utf8' });
    expect(wrong.status).toBe(2);
  });

  it('a second signal exits at once', async () => {
    const running = await startMain();
    const started = Date.now();
    running.child.kill('SIGTERM');
    await waitUntil(() => running.logs.some((l) => l.includes('"msg":"shutting down"')), 5_000, 'first signal not seen');
    running.child.kill('SIGINT');
    const { code } = await running.exited;
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(running.logs.some((l) => l.includes('second signal: exiting now'))).toBe(true);
  });

  it('bad configuration: refused with one line on stderr, exit 2, no secret in it', async () => {
    const running = node('main.js', [], {
      DATABASE_URL: 'postgresql://inventory:db-s3cret@127.0.0.1:5432/x',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_PASSWORD: 'kafka-s3cret',
    });
    const { code } = await running.exited;
    expect(code).toBe(2);
    const lines = running.logs.filter(Boolean);
    expect(lines).toEqual(['invalid configuration: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD']);
  });
});
