import { TestStack } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { testKafka, waitUntil } from '../support/kafka';
import { OutboxRelay } from '../../producers/outbox-relay';
import { createLogger } from '../../src/logger';

/**
 * One outbox relay publishes for the whole deployment (the leader). Commits on
 * the other instances wake it through LISTEN/NOTIFY (a trigger on
 * outbox_event). Here the leader is a relay of its own, with no consumer and a
 * poll of a minute, so only a notification can wake it; the service
 * instance's relay is not the leader and cannot publish.
 */
describe('the outbox relay leader is woken by commits on other instances', () => {
  let stack: TestStack;
  let leader: OutboxRelay;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'BOLT', location: 'A-01-1-01', quantity: 1_000 }]));
    leader = new OutboxRelay({
      databaseUrl: stack.config.DATABASE_URL,
      kafka: testKafka(),
      transactionalId: `${stack.config.KAFKA_GROUP_ID}-outbox-relay`,
      topicPrefix: stack.config.KAFKA_TOPIC_PREFIX,
      logger: createLogger('silent'),
      pollMs: 60_000,
      maxBatchBytes: 1_000_000,
      sessionTimeoutMs: 240_000, // its heartbeat is then a minute: only a notification wakes it within the test
    });
    leader.start();
    await waitUntil(
      async () => {
        const [held] = await stack.db.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`;
        return held!.n > 0;
      },
      10_000,
      'the relay never took the leader lock',
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // its first pass is done; it now sleeps for the poll
  });

  afterAll(async () => {
    await leader.stop();
    await stack.stop();
  });

  it('publishes the outcomes of events applied by another instance within seconds, not at the next poll', async () => {
    await stack.startService();
    const ids = (
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stack.publish('orders', `wake-${i}`, [
            { eventType: 'OrderPlaced', payload: { orderId: `wake-${i}`, warehouseId: 1, lines: [{ sku: 'BOLT', quantity: 1 }] } },
          ]),
        ),
      )
    ).flat();
    const outcomes = await stack.outcomesOf(ids, 20_000);
    expect(outcomes.map((o) => o[0]!.envelope!.eventType)).toEqual(ids.map(() => 'StockReserved'));
  });

  // The relay stops after a batch that took all there was, without looking again: a commit that lands while it
  // publishes must wake it once more (its NOTIFY), or that outcome would wait for the minute's poll.
  it('publishes a steady stream of commits that land while it is publishing, none waiting for the poll', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(
        ...(await stack.publish('orders', `stream-${i}`, [
          { eventType: 'OrderPlaced', payload: { orderId: `stream-${i}`, warehouseId: 1, lines: [{ sku: 'BOLT', quantity: 1 }] } },
        ])),
      );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const outcomes = await stack.outcomesOf(ids, 20_000);
    expect(outcomes.map((o) => o[0]!.envelope!.eventType)).toEqual(ids.map(() => 'StockReserved'));
  });
});
