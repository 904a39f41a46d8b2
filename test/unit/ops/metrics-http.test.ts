import { ServiceMetrics } from '../../../src/ops/metrics';
import { startOpsHttp, type OpsHttpServer } from '../../../src/ops/http';
import { readinessReport, type ReadinessReport } from '../../../src/ops/health';
import { createLogger } from '../../../src/logger';

describe('ServiceMetrics', () => {
  it('counts events by type, status and outcome, dead letters by code, and reads gauges at scrape time', async () => {
    const metrics = new ServiceMetrics({ outboxBacklog: async () => 7, pool: () => ({ total: 3, idle: 2, waiting: 0 }) });
    metrics.eventProcessed({ status: 'APPLIED', eventType: 'OrderPlaced', outcome: 'RESERVED' }, 'orders', 12);
    metrics.eventProcessed({ status: 'APPLIED', eventType: 'OrderPlaced', outcome: 'RESERVED' }, 'orders', 30);
    metrics.eventProcessed({ status: 'DUPLICATE', eventType: 'OrderPlaced' }, 'orders', 1);
    metrics.eventProcessed({ status: 'DEAD_LETTERED', eventType: null, code: 'INVALID_JSON', reason: 'not JSON' }, 'orders', 2);
    metrics.outboxPublished(4, new Date(1_000), 1_500);
    metrics.consumerLag('orders', 2, 5);
    metrics.retried(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }));
    const text = await metrics.text();
    expect(text).toContain('inventory_events_processed_total{topic="orders",event_type="OrderPlaced",status="APPLIED",outcome="RESERVED"} 2');
    expect(text).toContain('inventory_events_processed_total{topic="orders",event_type="OrderPlaced",status="DUPLICATE",outcome="DUPLICATE"} 1');
    expect(text).toContain('inventory_events_processed_total{topic="orders",event_type="unknown",status="DEAD_LETTERED",outcome="INVALID_JSON"} 1');
    expect(text).toContain('inventory_dead_letters_total{code="INVALID_JSON"} 1');
    expect(text).toContain('inventory_event_processing_seconds_count{topic="orders",status="APPLIED"} 2');
    expect(text).toContain('inventory_event_processing_seconds_bucket{le="0.025",topic="orders",status="APPLIED"} 1');
    expect(text).toContain('inventory_outbox_published_total 4');
    expect(text).toContain('inventory_outbox_publish_latency_seconds_sum 0.5');
    expect(text).toContain('inventory_outbox_backlog 7');
    expect(text).toContain('inventory_db_pool_connections{state="total"} 3');
    expect(text).toContain('inventory_db_pool_connections{state="idle"} 2');
    expect(text).toContain('inventory_consumer_lag{topic="orders",partition="2"} 5');
    expect(text).toContain('inventory_event_retries_total{transient="true"} 1');
  });

  it('a failing or hanging backlog query does not break the scrape', async () => {
    const metrics = new ServiceMetrics({ outboxBacklog: () => new Promise<number>(() => undefined) }, { collectTimeoutMs: 50 });
    expect(await metrics.text()).toContain('inventory_outbox_backlog 0');
    // Metrics are serialized concurrently: the failure of one scrape shows from the next.
    expect(await metrics.text()).toContain('inventory_metrics_collect_errors_total{source="outbox_backlog"} 1');
  });

  it('two instances in one process have separate registries', async () => {
    const a = new ServiceMetrics();
    const b = new ServiceMetrics();
    a.eventProcessed({ status: 'APPLIED', eventType: 'OrderPlaced', outcome: 'RESERVED' }, 'orders', 1);
    expect(await b.text()).not.toContain('outcome="RESERVED"');
  });
});

describe('ops HTTP endpoints', () => {
  let server: OpsHttpServer;
  let report: ReadinessReport;
  const metrics = new ServiceMetrics();
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    server = await startOpsHttp({ host: '127.0.0.1', port: 0, logger: createLogger('silent'), target: { readiness: async () => report, metrics } });
  });
  afterAll(() => server.close());

  it('/healthz answers 200 whatever the dependencies say', async () => {
    report = readinessReport({ database: { ok: false, detail: 'down' }, broker: { ok: true }, consumer: { ok: true } });
    const res = await fetch(url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when every check passes, 503 naming what is down otherwise', async () => {
    report = readinessReport({ database: { ok: true }, broker: { ok: true }, consumer: { ok: true } });
    expect((await fetch(url('/readyz'))).status).toBe(200);
    report = readinessReport({
      database: { ok: false, detail: 'connect ECONNREFUSED' },
      broker: { ok: true },
      consumer: { ok: false, detail: 'not joined to its group yet' },
    });
    const res = await fetch(url('/readyz'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not ready',
      down: ['database', 'consumer'],
      checks: { database: { ok: false, detail: 'connect ECONNREFUSED' }, broker: { ok: true }, consumer: { ok: false, detail: 'not joined to its group yet' } },
    });
  });

  it('/metrics is Prometheus text; unknown paths 404; other methods 405', async () => {
    const res = await fetch(url('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('# TYPE inventory_events_processed_total counter');
    expect((await fetch(url('/nope'))).status).toBe(404);
    expect((await fetch(url('/healthz'), { method: 'POST' })).status).toBe(405);
  });
});
