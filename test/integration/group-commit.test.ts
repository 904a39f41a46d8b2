import { TestStack } from '../support/harness';
import { stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';

/**
 * The runs of several partitions that are ready at the same time share one
 * transaction (consumers/group-commit.ts). Observable from outside: the
 * outbox rows of one transaction carry the same created_at (the transaction's
 * clock), and the inbox says which partition each cause came from.
 */
describe('group commit across partitions', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'BOLT', location: 'A-01-1-01', quantity: 1_000 }]));
  });

  afterAll(() => stack.stop());

  it('applies the backlog of all partitions in shared transactions, each event once', async () => {
    // The backlog is on the topic before the service starts: its first fetch brings every partition at once.
    const ids = (
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          stack.publish('orders', `gc-${i}`, [
            { eventType: 'OrderPlaced', payload: { orderId: `gc-${i}`, warehouseId: 1, lines: [{ sku: 'BOLT', quantity: 1 }] } },
          ]),
        ),
      )
    ).flat();
    await stack.startService();
    const outcomes = await stack.outcomesOf(ids, 60_000);
    expect(outcomes.map((o) => o.map((m) => m.envelope!.eventType))).toEqual(ids.map(() => ['StockReserved']));

    const rows = await stack.db.$queryRaw<{ partitions: number; events: number }[]>`
      SELECT COUNT(DISTINCT p.partition)::int AS partitions, COUNT(*)::int AS events
        FROM outbox_event o JOIN processed_event p ON p.event_id = (o.envelope->>'causationId')::uuid
       GROUP BY o.created_at`;
    const [used] = await stack.db.$queryRaw<{ n: number }[]>`SELECT COUNT(DISTINCT partition)::int AS n FROM processed_event`;
    expect(used!.n).toBe(3);
    // At least one transaction carried events of more than one partition; one per partition would give 1 everywhere.
    expect(Math.max(...rows.map((r) => r.partitions))).toBeGreaterThan(1);
    expect(rows.reduce((sum, r) => sum + r.events, 0)).toBe(60);
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
