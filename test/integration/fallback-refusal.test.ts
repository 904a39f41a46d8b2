import { TestStack } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { topicName } from '../../src/contracts';
import { installPoison, removePoison } from '../support/poison';

/**
 * When a run fails as a whole and its events are applied one at a time, an
 * event refused alone must stay refused: its refusal is on record before any
 * later event of the run commits. Reproduced (issue 16, item 1): the run
 * [E1 OrderShipped X before anything was reserved, E2 OrderPlaced X, E3 a
 * poison event] ended with E1 applied as a shipment of what E2 reserved.
 */
describe('refusals made while a failed run is applied one event at a time', () => {
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

  it('keeps the refusal of E1 when a later event of the run fails, and never ships it after E2', async () => {
    // One request, one key: one partition, one run, one transaction that fails on E3.
    const [shipped, placed] = await stack.publish('orders', 'X', [
      { eventType: 'OrderShipped', payload: { orderId: 'X', shipmentId: 'S-1' } },
      { eventType: 'OrderPlaced', payload: { orderId: 'X', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 2 }] } },
      { eventType: 'OrderPlaced', payload: { orderId: 'poison-1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    expect((await stack.outcomeOf(placed!)).envelope.eventType).toBe('StockReserved');
    // E1 is judged once, and that judgment is either a dead letter or (the defect) a shipment.
    await stack.recorder.waitFor(
      () => dlq().some((m) => m.envelope?.eventId === shipped) || stack.recorder.messages.some((m) => m.envelope?.causationId === shipped),
      60_000,
      'E1 judged',
    );
    // The retries of the poison event go on meanwhile: give them time to judge E1 again, if they would.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stack.recorder.messages.filter((m) => m.envelope?.causationId === shipped)).toEqual([]);
    expect(dlq().find((m) => m.envelope?.eventId === shipped)!.headers['dlq-error-code']).toBe('NOTHING_RESERVED');
    const reservations = await stack.db.reservation.findMany({ where: { orderId: 'X' } });
    expect(reservations.map((r) => [r.status, r.quantity, r.quantityShipped])).toEqual([['OPEN', 2, 0]]);
  });
});
