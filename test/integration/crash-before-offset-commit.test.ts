import { TestStack } from '../support/harness';
import { stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';
import { testKafka, waitUntil } from '../support/kafka';
import { processMessage } from '../../consumers/pipeline/process-records';
import type { EventOutcome } from '../../src/event-outcome';
import { handlersByType } from '../../consumers/registry';
import { createLogger } from '../../src/logger';
import { topicName } from '../../src/contracts';

describe('a crash after the database commit and before the offset commit', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
  });

  afterAll(() => stack.stop());

  it('redelivers the event to the next instance, which changes nothing', async () => {
    const [eventId] = await stack.publish('orders', 'crash-1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'crash-1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 3 }] } },
    ]);

    // A first instance of the service's group applies the event (database
    // commit) and dies before committing the offset: autoCommit off, no commit.
    const kafka = testKafka();
    const doomed = kafka.consumer({ groupId: stack.config.KAFKA_GROUP_ID });
    const producer = kafka.producer();
    await Promise.all([doomed.connect(), producer.connect()]);
    const deps = {
      db: stack.db,
      producer,
      topicPrefix: stack.config.KAFKA_TOPIC_PREFIX,
      logger: createLogger('silent'),
      handlers: handlersByType(),
      settings: { receiptOverTolerancePercent: 0 },
    };
    let first: EventOutcome | null = null;
    let offset = '';
    await doomed.subscribe({ topic: topicName('orders', stack.config.KAFKA_TOPIC_PREFIX), fromBeginning: true });
    await doomed.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        first = await processMessage(deps, { topic: 'orders', partition, message });
        offset = message.offset;
      },
    });
    await waitUntil(() => first !== null, 30_000, 'the first instance never processed the event');
    await doomed.disconnect();
    await producer.disconnect();
    expect(first).toMatchObject({ status: 'APPLIED', outcome: 'RESERVED' });

    const admin = kafka.admin();
    await admin.connect();
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: stack.config.KAFKA_GROUP_ID, topics: [topicName('orders', stack.config.KAFKA_TOPIC_PREFIX)] }))[0]!.partitions.map(
        (p) => p.offset,
      );
    expect((await committed()).every((o) => o === '-1')).toBe(true);

    // The next instance gets the event again, and the inbox skips it.
    await stack.startService();
    await waitUntil(async () => (await committed()).includes(String(Number(offset) + 1)), 60_000, 'the service never committed past the redelivered event');
    await admin.disconnect();
    await stack.outcomeOf(eventId!);

    expect(stack.recorder.messages.filter((m) => m.envelope?.causationId === eventId)).toHaveLength(1);
    expect(await stack.db.reservation.aggregate({ where: { orderId: 'crash-1' }, _sum: { quantity: true } })).toEqual({ _sum: { quantity: 3 } });
    expect(await stack.db.inventoryTransaction.count({ where: { eventId } })).toBe(1);
    // One StockReserved and one InventoryLevelChanged, each staged once.
    expect(await stack.db.outboxEvent.count({ where: { eventType: { not: 'InventoryLevelChanged' } } })).toBe(1);
    expect(await stack.db.outboxEvent.count({ where: { eventType: 'InventoryLevelChanged', envelope: { path: ['causationId'], equals: eventId } } })).toBe(1);
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
