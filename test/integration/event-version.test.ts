import { TestStack } from '../support/harness';
import { envelope } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { topicName } from '../../src/contracts';

/**
 * Contract v2, "Version first": an envelope whose eventVersion the service
 * does not know is dead-lettered UNSUPPORTED_EVENT_VERSION, never applied as
 * version 1 (issue 16, item 2: an OrderPlaced of version 99 was reserved).
 */
describe('event versions', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
    await stack.startService();
  });

  afterAll(() => stack.stop());

  const dlq = () => stack.recorder.messages.filter((m) => m.topic === topicName('inventory-dlq', stack.config.KAFKA_TOPIC_PREFIX));

  it('dead-letters an OrderPlaced of an unknown version and reserves nothing for it', async () => {
    const future = {
      ...envelope({ eventType: 'OrderPlaced', payload: { orderId: 'v99', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 3 }] } }),
      eventVersion: 99,
    };
    // Wrong in every other way too: the version is still what is reported.
    const misrouted = { ...envelope({ eventType: 'OrderPlaced', payload: { nonsense: true } }), eventVersion: 2 };
    await stack.publishRaw('orders', 'v99', JSON.stringify(future));
    await stack.publishRaw('goods-receipts', 'v2', JSON.stringify(misrouted));
    const [current] = await stack.publish('orders', 'v1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'v1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);

    expect((await stack.outcomeOf(current!)).envelope.eventType).toBe('StockReserved');
    await stack.recorder.waitFor(() => dlq().length >= 2, 30_000, 'two dead letters');
    const byId = new Map(dlq().map((m) => [m.envelope?.eventId, m]));
    expect(byId.get(future.eventId)!.headers).toMatchObject({
      'dlq-error-code': 'UNSUPPORTED_EVENT_VERSION',
      'dlq-error-message': 'OrderPlaced version 99 is not supported (supported: 1)',
    });
    expect(byId.get(misrouted.eventId)!.headers['dlq-error-code']).toBe('UNSUPPORTED_EVENT_VERSION');
    expect(await stack.db.reservation.count({ where: { orderId: 'v99' } })).toBe(0);
    expect(stack.recorder.messages.some((m) => m.envelope?.causationId === future.eventId)).toBe(false);
  });
});
