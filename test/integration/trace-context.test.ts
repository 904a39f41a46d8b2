import { TestStack } from '../support/harness';
import { envelope } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';

/**
 * The traceparent header of an inbound event is copied onto its outcome only
 * when it has the W3C trace-context form. Before, any value was copied into
 * the outbox row's headers: a NUL byte in it made PostgreSQL refuse the row
 * (jsonb cannot hold \u0000) and a valid order was dead-lettered as UNPROCESSABLE.
 */
describe('traceparent of inbound events', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 100 }]));
    await stack.startService();
  });

  afterAll(() => stack?.stop());

  /** An OrderPlaced for one hammer with this traceparent header; resolves to its eventId. */
  async function orderWithTraceparent(orderId: string, traceparent: string): Promise<string> {
    const e = envelope({ eventType: 'OrderPlaced', payload: { orderId, warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } });
    await stack.publishRaw('orders', orderId, JSON.stringify(e), { 'event-type': e.eventType, 'event-id': e.eventId, traceparent });
    return e.eventId;
  }

  it('a valid traceparent goes onto the outcome unchanged', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const outcome = await stack.outcomeOf(await orderWithTraceparent('tp-valid', traceparent));
    expect(outcome.envelope.eventType).toBe('StockReserved');
    expect(outcome.headers.traceparent).toBe(traceparent);
  });

  it.each([
    ['a NUL byte', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u0000'],
    ['garbage', 'not a trace context at all'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01'],
    ['the forbidden version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['a lone surrogate', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\ud800'],
    ['a value of 10,000 characters', `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-${'x'.repeat(10_000)}`],
  ])('with %s the order is still reserved, and the header is dropped', async (what, traceparent) => {
    const orderId = `tp-${what.replace(/\W+/g, '-')}`;
    const eventId = await orderWithTraceparent(orderId, traceparent);
    const outcome = await stack.outcomeOf(eventId);
    expect(outcome.envelope.eventType).toBe('StockReserved');
    expect(outcome.headers).not.toHaveProperty('traceparent');
    expect(await stack.db.deadLetter.count({ where: { eventId } })).toBe(0);
  });
});
