import { TestStack } from '../support/harness';
import { TcpProxy } from '../support/tcp-proxy';
import { waitUntil } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { InventoryService } from '../../src/service';
import { createLogger } from '../../src/logger';
import { startOpsHttp, type OpsHttpServer } from '../../src/ops/http';
import { Client } from 'pg';

/**
 * Health, readiness and metrics of a real service instance. Its database
 * connections go through a TCP proxy this test can cut, so "the database is
 * down" is simulated without touching the machine's PostgreSQL.
 */
describe('ops HTTP endpoints of a running service', () => {
  let stack: TestStack;
  let proxy: TcpProxy;
  let service: InventoryService;
  let http: OpsHttpServer;
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${http.port}${path}`);
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
    const direct = new URL(stack.config.DATABASE_URL);
    proxy = await new TcpProxy(direct.hostname, Number(direct.port || 5432)).open();
    const viaProxy = new URL(stack.config.DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    service = new InventoryService({
      config: { ...stack.config, DATABASE_URL: viaProxy.toString() },
      logger: createLogger(stack.config.LOG_LEVEL),
      instanceId: 'ops',
    });
    http = await startOpsHttp({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('silent'),
      target: { readiness: () => service.readiness(), metrics: service.ops.metrics },
    });
    await service.start();
  });

  afterAll(async () => {
    await proxy.open().catch(() => undefined); // back, if a failed test left it cut
    await service?.stop();
    await http?.close();
    await proxy?.cut();
    await stack?.stop();
  });

  it('/healthz is 200 and /readyz turns 200 once the consumer has joined its group', async () => {
    expect((await get('/healthz')).status).toBe(200);
    await waitUntil(async () => (await get('/readyz')).status === 200, 30_000, 'never ready');
    expect(JSON.parse((await get('/readyz')).text)).toEqual({
      status: 'ready',
      down: [],
      checks: { database: { ok: true }, broker: { ok: true }, consumer: { ok: true } },
    });
  });

  it('/metrics counts the traffic: events by type and outcome, dead letters, outbox, lag, pool', async () => {
    const ids = [
      ...(await stack.publish('orders', 'm-1', [
        { eventType: 'OrderPlaced', payload: { orderId: 'm-1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 2 }] } },
      ])),
      ...(await stack.publish('orders', 'm-2', [
        { eventType: 'OrderPlaced', payload: { orderId: 'm-2', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 3 }] } },
      ])),
      ...(await stack.publish('orders', 'm-3', [
        { eventType: 'OrderPlaced', payload: { orderId: 'm-3', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 50 }] } },
      ])),
    ];
    await stack.publishRaw('orders', 'm-4', 'this is not json');
    await stack.outcomesOf(ids);
    await stack.recorder.waitFor((ms) => ms.some((m) => m.headers['dlq-error-code'] === 'INVALID_JSON'), 30_000, 'the dead letter');
    // The relay counts a batch after marking it published, just after Kafka has it.
    // Every outbox row it published: the 3 outcomes and the level events of their transactions (and of the import).
    await waitUntil(
      async () => {
        const published = await stack.db.outboxEvent.count({ where: { publishedAt: { not: null } } });
        return published >= 3 && (await get('/metrics')).text.includes(`inventory_outbox_published_total ${published}`);
      },
      10_000,
      'outbox counter',
    );

    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(text).toContain('inventory_events_processed_total{topic="orders",event_type="OrderPlaced",status="APPLIED",outcome="RESERVED"} 2');
    expect(text).toContain('inventory_events_processed_total{topic="orders",event_type="OrderPlaced",status="APPLIED",outcome="INSUFFICIENT_STOCK"} 1');
    expect(text).toContain('inventory_events_processed_total{topic="orders",event_type="unknown",status="DEAD_LETTERED",outcome="INVALID_JSON"} 1');
    expect(text).toContain('inventory_dead_letters_total{code="INVALID_JSON"} 1');
    expect(text).toContain('inventory_event_processing_seconds_count{topic="orders",status="APPLIED"} 3');
    expect(text).toContain('inventory_outbox_publish_latency_seconds_count');
    expect(text).toContain('inventory_outbox_backlog 0');
    expect(text).toMatch(/^inventory_consumer_lag\{topic="orders",partition="\d"\} 0$/m);
    expect(text).toMatch(/^inventory_db_pool_connections\{state="total"\} [1-9]\d*$/m);
    expect(text).toMatch(/^inventory_db_pool_connections\{state="waiting"\} 0$/m);
  });

  it('40 concurrent /readyz requests share one database probe: at most one extra session, never one per request', async () => {
    await waitUntil(async () => (await get('/readyz')).status === 200, 30_000, 'never ready');
    const database = new URL(stack.config.DATABASE_URL).pathname.slice(1);
    const watcher = new Client({ connectionString: stack.config.DATABASE_URL });
    await watcher.connect();
    try {
      const sessions = async () =>
        Number(
          (await watcher.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database])).rows[0]!
            .n,
        );
      await new Promise((r) => setTimeout(r, 1_200)); // past the cached answer of the wait above
      const before = await sessions();
      let most = before;
      let done = false;
      const watching = (async () => {
        while (!done) most = Math.max(most, await sessions());
      })();
      const answers = await Promise.all(Array.from({ length: 40 }, () => get('/readyz')));
      done = true;
      await watching;
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
      // The service's pool and the relay's connection were there before; the probe adds one at most.
      expect(most - before).toBeLessThanOrEqual(1);
    } finally {
      await watcher.end();
    }
  });

  it('/readyz is 503 naming the database while it is unreachable, and 200 again when it is back', async () => {
    await proxy.cut();
    await waitUntil(async () => (await get('/readyz')).status === 503, 15_000, 'still ready with the database cut off');
    const body = JSON.parse((await get('/readyz')).text);
    expect(body.status).toBe('not ready');
    expect(body.down).toEqual(['database']);
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.database.detail).toEqual(expect.any(String));
    // Unauthenticated: no driver error text (it names hosts, ports, users, databases).
    const text = JSON.stringify(body);
    for (const leak of [String(proxy.port), '127.0.0.1', 'ECONN', 'terminated', 'timeout expired', new URL(stack.config.DATABASE_URL).pathname.slice(1)])
      expect(text).not.toContain(leak);
    expect((await get('/healthz')).status).toBe(200); // liveness does not depend on the database

    await proxy.open();
    await waitUntil(async () => (await get('/readyz')).status === 200, 15_000, 'not ready again after the database came back');
    // And it works again: a new order is reserved.
    const [id] = await stack.publish('orders', 'm-5', [
      { eventType: 'OrderPlaced', payload: { orderId: 'm-5', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    expect((await stack.outcomeOf(id!)).envelope.eventType).toBe('StockReserved');
  });
});
