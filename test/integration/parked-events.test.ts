import { TestStack } from '../support/harness';
import { envelope } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { topicName } from '../../src/contracts';
import { installPoison, removePoison } from '../support/poison';

/**
 * An event that fails with a bug-class error every time (here: a trigger
 * that raises XX000 for one order) is parked after a few attempts instead of
 * being retried forever (issue 16, item 6): dead-lettered PARKED, counted,
 * and every later event of its key is held back behind it (PARKED too), while
 * other keys go on. After the fix, the parked event published again is
 * applied, and the events behind it follow in their order.
 */
describe('parked events', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
    await installPoison(stack.db, 'poison-');
    await stack.startService();
  });

  afterAll(async () => {
    await removePoison(stack.db);
    await stack.stop();
  });

  const dlq = () => stack.recorder.messages.filter((m) => m.topic === topicName('inventory-dlq', stack.config.KAFKA_TOPIC_PREFIX));
  const lettersOf = (eventId: string) => dlq().filter((m) => m.envelope?.eventId === eventId);
  const place = (orderId: string, quantity = 1) => ({ eventType: 'OrderPlaced', payload: { orderId, warehouseId: 1, lines: [{ sku: 'HAMMER', quantity }] } });

  it('parks the poison event and holds back the later events of its key, while other keys flow', async () => {
    const placed = envelope(place('poison-7', 2));
    const cancelled = envelope({ eventType: 'OrderCancelled', payload: { orderId: 'poison-7' } });
    // Key poison-7: the poison OrderPlaced, then its OrderCancelled (which alone would find nothing to release).
    await stack.publishRaw('orders', 'poison-7', JSON.stringify(placed));
    await stack.publishRaw('orders', 'poison-7', JSON.stringify(cancelled));
    const [other] = await stack.publish('orders', 'fine-1', [place('fine-1')]);

    expect((await stack.outcomeOf(other!)).envelope.eventType).toBe('StockReserved');
    await stack.recorder.waitFor(
      () => lettersOf(placed.eventId).length > 0 && lettersOf(cancelled.eventId).length > 0,
      60_000,
      'both events of poison-7 parked',
    );
    expect(lettersOf(placed.eventId)[0]!.headers).toMatchObject({
      'dlq-error-code': 'PARKED',
      'dlq-error-message': expect.stringMatching(/^failed 3 times with an error that is not transient: .*test poison: order poison-7/),
    });
    expect(lettersOf(cancelled.eventId)[0]!.headers).toMatchObject({
      'dlq-error-code': 'PARKED',
      'dlq-error-message': expect.stringContaining(`held back behind parked event ${placed.eventId}`),
    });
    // Neither was applied nor judged: no inbox rows, no outcome events.
    expect(await stack.db.processedEvent.count({ where: { eventId: { in: [placed.eventId, cancelled.eventId] } } })).toBe(0);
    expect(stack.recorder.messages.filter((m) => m.envelope?.causationId === placed.eventId || m.envelope?.causationId === cancelled.eventId)).toEqual([]);

    // Visible to operators: counted by code, and the open parked events as a gauge.
    const metrics = await stack.services[0]!.ops.metrics.registry.metrics();
    expect(metrics).toContain('inventory_dead_letters_total{code="PARKED"} 2');
    expect(metrics).toContain('inventory_parked_events 2');

    // Events of the key published later still wait, even after the fix, until the parked event itself is retried.
    await removePoison(stack.db);
    await stack.publishRaw('orders', 'poison-7', JSON.stringify(cancelled));
    await stack.recorder.waitFor(() => lettersOf(cancelled.eventId).length >= 2, 30_000, 'the copy of OrderCancelled held back again');
    expect(await stack.db.reservation.count({ where: { orderId: 'poison-7' } })).toBe(0);

    // The operator retries: the parked OrderPlaced published again is applied (it keeps its first place), then the OrderCancelled.
    await stack.publishRaw('orders', 'poison-7', JSON.stringify(placed));
    expect((await stack.outcomeOf(placed.eventId)).envelope.eventType).toBe('StockReserved');
    await stack.publishRaw('orders', 'poison-7', JSON.stringify(cancelled));
    expect((await stack.outcomeOf(cancelled.eventId)).envelope.eventType).toBe('StockReleased');
    expect(await stack.db.deadLetter.count({ where: { errorCode: 'PARKED', resolvedAt: null } })).toBe(0);
    expect(await stack.services[0]!.ops.metrics.registry.metrics()).toContain('inventory_parked_events 0');
  });
});
