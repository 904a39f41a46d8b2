import { TestStack } from '../support/harness';
import { stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';

/**
 * Issue 16, item 9, measured rather than promised away: a group-commit
 * transaction holds runs of several partitions and event types; each run
 * locks its rows in (product, location) order, but across the runs of one
 * transaction there is no global order, so two transactions in flight can
 * deadlock. PostgreSQL then rolls one back (40P01) and the runner retries it
 * whole: transient, never dead-lettered, nothing lost. This drives orders of
 * three types over a few shared SKUs on three partitions with two
 * transactions in flight, counts the deadlocks PostgreSQL saw, and checks
 * that every event still has exactly its one outcome and the books balance.
 */
describe('deadlocks between group-commit transactions', () => {
  let stack: TestStack;
  const SKUS = ['S1', 'S2', 'S3', 'S4'];
  const ORDERS = 240;

  beforeAll(async () => {
    stack = await TestStack.start({ CONSUMER_TRANSACTIONS_IN_FLIGHT: '2', CONSUMER_BATCH_MAX_EVENTS: '50' });
    await stack.importMasterData(
      smallCatalog(
        SKUS.flatMap((sku) => [
          { sku, location: 'A-01-1-01', quantity: 100_000 },
          { sku, location: 'B-01-1-01', quantity: 100_000 },
        ]),
      ),
    );
    await stack.startService();
  });

  afterAll(() => stack.stop());

  // Backends report their statistics at most once a second, when idle: read after a pause.
  const deadlocks = async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const [row] = await stack.db.$queryRaw<{ n: bigint }[]>`SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()`;
    return Number(row!.n);
  };

  it('every event gets its one outcome; deadlocks are retried, and counted here', async () => {
    const before = await deadlocks();
    // Each order: placed over two SKUs (in varying order), then shipped or cancelled, while later orders are placed.
    const lines = (i: number) =>
      [SKUS[i % 4]!, SKUS[(i * 7 + 1) % 4] === SKUS[i % 4] ? SKUS[(i + 2) % 4]! : SKUS[(i * 7 + 1) % 4]!].map((sku) => ({ sku, quantity: 1 + (i % 3) }));
    const ids: string[] = [];
    for (let i = 0; i < ORDERS; i += 20) {
      const wave = await Promise.all(
        Array.from({ length: 20 }, (_, j) => {
          const n = i + j;
          const orderId = `dl-${n}`;
          return stack.publish('orders', orderId, [
            { eventType: 'OrderPlaced', payload: { orderId, warehouseId: 1, lines: lines(n) } },
            n % 2 === 0 ? { eventType: 'OrderCancelled', payload: { orderId } } : { eventType: 'OrderShipped', payload: { orderId } },
          ]);
        }),
      );
      ids.push(...wave.flat());
    }
    const outcomes = await stack.outcomesOf(ids, 120_000);
    expect(outcomes.map((o) => o.length)).toEqual(ids.map(() => 1));
    expect(new Set(outcomes.map((o) => o[0]!.envelope!.eventType))).toEqual(new Set(['StockReserved', 'StockReleased', 'StockShipped']));
    expect(await stockDrift(stack.db)).toEqual([]);

    const metrics = await stack.services[0]!.ops.metrics.registry.metrics();
    expect(metrics).not.toContain('inventory_event_retries_total{transient="false"}');
    expect(metrics).not.toContain('code="PARKED"');
    const seen = (await deadlocks()) - before;
    const retried = Number(/inventory_event_retries_total\{transient="true"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    console.log(`group-commit deadlocks: ${seen} deadlocks, ${retried} transient retries for ${ids.length} events`);
    // A retry for every deadlock PostgreSQL broke (other transient faults would add to the retries, never subtract).
    expect(retried).toBeGreaterThanOrEqual(seen);
  });
});
