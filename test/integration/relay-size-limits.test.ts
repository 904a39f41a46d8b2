import { randomUUID } from 'node:crypto';
import { TestStack } from '../support/harness';
import { waitUntil } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { committedEventIds, duplicates, stageOutcomes, unpublishedCount } from '../support/relay';
import type { OutboundEvent } from '../../src/db/outbox';

/**
 * The broker's size limit (message.max.bytes, 1 MiB by default) never stalls
 * the relay (issue 16, items 4 and 5): batches are capped by bytes, a batch
 * the broker refuses is split, a row that can never fit is parked, and a
 * dead letter of a message near the limit is cut to fit.
 */

/** An in-contract StockReserved of about `kb` kilobytes (many lines), all for one order: one key, one partition. */
function bigReservation(orderId: string, kb: number): (i: number) => OutboundEvent {
  const lines = Array.from({ length: Math.ceil((kb * 1024) / 100) }, (_, n) => ({
    productId: n + 1,
    sku: `SKU-${String(n).padStart(8, '0')}-XXXXXXXX`,
    quantity: 1,
    allocations: [{ locationId: 1, quantity: 1 }],
  }));
  return () => ({ eventType: 'StockReserved', key: orderId, payload: { orderId, warehouseId: 1, lines } });
}

async function expectAllOnWireOnce(stack: TestStack, staged: string[]): Promise<void> {
  const onWire = await committedEventIds(stack);
  expect(duplicates(onWire)).toEqual([]);
  expect([...onWire].sort()).toEqual([...staged].sort());
}

describe('outbox rows near the broker size limit', () => {
  let stack: TestStack;
  afterEach(async () => stack.stop());

  it('caps batches by bytes: fifteen 100 KB outcomes of one order and the rows behind them are all published', async () => {
    stack = await TestStack.start();
    const big = await stageOutcomes(stack, 15, bigReservation('big-order', 100));
    const small = await stageOutcomes(stack, 5);
    await stack.startService();
    await waitUntil(async () => (await unpublishedCount(stack)) === 0, 60_000, 'the relay stalled on the large rows');
    await expectAllOnWireOnce(stack, [...big, ...small]);
  }, 120_000);

  it('splits a batch the broker refuses for its size (the cap set above the broker limit)', async () => {
    stack = await TestStack.start({ OUTBOX_BATCH_MAX_BYTES: '20000000' });
    const big = await stageOutcomes(stack, 15, bigReservation('big-order', 100));
    const small = await stageOutcomes(stack, 5);
    await stack.startService();
    await waitUntil(async () => (await unpublishedCount(stack)) === 0, 60_000, 'the relay stalled on a refused batch');
    await expectAllOnWireOnce(stack, [...big, ...small]);
  }, 120_000);

  it('parks a row the broker refuses even alone, counts it, and publishes the rows behind it', async () => {
    stack = await TestStack.start();
    const [tooBig] = await stageOutcomes(stack, 1, bigReservation('huge-order', 1_300));
    const behind = await stageOutcomes(stack, 5);
    const service = await stack.startService();
    await waitUntil(async () => (await unpublishedCount(stack)) === 0, 60_000, 'the rows behind the huge one were not published');
    const parked = await stack.db.outboxEvent.findUniqueOrThrow({ where: { eventId: tooBig! } });
    expect(parked.publishedAt).toBeNull();
    expect(parked.parkedAt).not.toBeNull();
    expect(parked.parkedReason).toMatch(/too large/);
    expect(await service.ops.metrics.registry.getSingleMetricAsString('inventory_relay_parked_total')).toContain(
      'inventory_relay_parked_total{kind="outbox"} 1',
    );
    await expectAllOnWireOnce(stack, behind);
  }, 120_000);
});

describe('a dead letter of an inbound message near the size limit', () => {
  let stack: TestStack;
  afterEach(async () => stack.stop());

  it('is sent with its value cut, dlq-truncated and the original size, and the partition moves on', async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'BOLT', location: 'A-01-1-01', quantity: 10 }]));
    await stack.startService();
    const size = 1_048_400; // the broker's default limit is 1,048,588 bytes a record batch: this fits, but not with the dlq-* headers
    await stack.publishRaw('orders', 'same-key', 'x'.repeat(size));
    const [next] = await stack.publish('orders', 'same-key', [
      { eventType: 'OrderPlaced', eventId: randomUUID(), payload: { orderId: 'after-big', warehouseId: 1, lines: [{ sku: 'BOLT', quantity: 1 }] } },
    ]);

    const outcome = await stack.outcomeOf(next!, 60_000);
    expect(outcome.envelope.eventType).toBe('StockReserved');
    await stack.recorder.waitFor((ms) => ms.some((m) => m.topic.endsWith('inventory-dlq')), 30_000, 'dead letter');
    const dead = stack.recorder.messages.filter((m) => m.topic.endsWith('inventory-dlq'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers['dlq-truncated']).toBe('true');
    expect(dead[0]!.headers['dlq-original-size']).toBe(String(size));
    expect(dead[0]!.headers['dlq-error-code']).toBe('INVALID_JSON');
    expect(dead[0]!.value!.length).toBeLessThan(size);
    expect(dead[0]!.value!.toString()).toBe('x'.repeat(dead[0]!.value!.length));
  }, 120_000);
});
