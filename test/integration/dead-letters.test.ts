import { TestStack } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { topicName } from '../../src/contracts';

describe('dead letters', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
    await stack.startService();
  });

  afterAll(() => stack.stop());

  const dlq = () => stack.recorder.messages.filter((m) => m.topic === topicName('inventory-dlq', stack.config.KAFKA_TOPIC_PREFIX));

  it('sends malformed JSON, an invalid payload and an unknown eventType to the DLQ unchanged, and keeps going', async () => {
    const ordersTopic = topicName('orders', stack.config.KAFKA_TOPIC_PREFIX);
    await stack.publishRaw('orders', 'bad-1', '{"eventId": nope', { traceparent: '00-abc-def-01' });
    const [invalid] = await stack.publish('orders', 'bad-2', [
      { eventType: 'OrderPlaced', payload: { orderId: 'bad-2', lines: [{ sku: 'HAMMER', quantity: 0 }] } },
    ]);
    const [unknown] = await stack.publish('orders', 'bad-3', [{ eventType: 'OrderTeleported', payload: { orderId: 'bad-3' } }]);
    const [valid] = await stack.publish('orders', 'good-1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'good-1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);

    expect((await stack.outcomeOf(valid!)).envelope.eventType).toBe('StockReserved');
    await stack.recorder.waitFor(() => dlq().length >= 3, 30_000, 'three dead letters');

    const byKey = new Map(dlq().map((m) => [m.key, m]));
    const notJson = byKey.get('bad-1')!;
    expect(notJson.value).toBe('{"eventId": nope');
    expect(notJson.headers).toMatchObject({
      traceparent: '00-abc-def-01',
      'dlq-original-topic': ordersTopic,
      'dlq-original-partition': expect.stringMatching(/^\d+$/),
      'dlq-original-offset': expect.stringMatching(/^\d+$/),
      'dlq-error-code': 'INVALID_JSON',
      'dlq-error-message': expect.stringContaining('not UTF-8 JSON'),
      'dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const badPayload = byKey.get('bad-2')!;
    expect(badPayload.envelope?.eventId).toBe(invalid);
    expect(badPayload.headers['dlq-error-code']).toBe('INVALID_PAYLOAD');
    expect(badPayload.headers['dlq-error-message']).toContain('lines.0.quantity');
    expect(badPayload.headers['event-id']).toBe(invalid);

    expect(byKey.get('bad-3')!.envelope?.eventId).toBe(unknown);
    expect(byKey.get('bad-3')!.headers['dlq-error-code']).toBe('UNKNOWN_EVENT_TYPE');

    // Nothing of them was applied, and the dead letters are on record for operators.
    expect(await stack.db.reservation.count({ where: { orderId: { in: ['bad-1', 'bad-2', 'bad-3'] } } })).toBe(0);
    // (Different keys, different partitions: the order in which they were handled is not fixed.)
    expect((await stack.db.deadLetter.findMany()).map((d) => d.errorCode).sort()).toEqual(['INVALID_JSON', 'INVALID_PAYLOAD', 'UNKNOWN_EVENT_TYPE']);
  });

  it('dead-letters an event on the wrong topic and a second OrderPlaced for the same order', async () => {
    const [wrongTopic] = await stack.publish('goods-receipts', 'wrong', [
      { eventType: 'OrderPlaced', payload: { orderId: 'wrong', lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    const [first] = await stack.publish('orders', 'twice', [
      { eventType: 'OrderPlaced', payload: { orderId: 'twice', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    const [second] = await stack.publish('orders', 'twice', [
      { eventType: 'OrderPlaced', payload: { orderId: 'twice', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    await stack.outcomeOf(first!);
    await stack.recorder.waitFor(
      () => dlq().some((m) => m.envelope?.eventId === second) && dlq().some((m) => m.envelope?.eventId === wrongTopic),
      30_000,
      'dead letters',
    );
    const codeOf = (id: string) => dlq().find((m) => m.envelope?.eventId === id)!.headers['dlq-error-code'];
    expect(codeOf(wrongTopic!)).toBe('WRONG_TOPIC');
    expect(codeOf(second!)).toBe('ORDER_ALREADY_PLACED');
    expect(await stack.db.reservation.aggregate({ where: { orderId: 'twice' }, _sum: { quantity: true } })).toEqual({ _sum: { quantity: 1 } });
  });
});
