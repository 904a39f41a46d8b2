import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { deadLetterOf, processedOutcome, receiptOutcomeOf } from '../support/receiving-helpers';
import { smallCatalog } from '../fixtures/catalog';
import { createPurchaseOrder } from '../fixtures/purchase-orders';

describe('PurchaseOrderStatusChanged from procurement through Kafka', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([], [{ sku: 'HAMMER' }, { sku: 'SAW' }]));
    await stack.startService();
  });

  afterAll(() => stack.stop());

  afterEach(async () => {
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  const statusChange = (poId: number, status: string) => ({ eventType: 'PurchaseOrderStatusChanged', payload: { poId, status } });
  const poStatus = async (poId: number) => (await stack.db.purchaseOrder.findUniqueOrThrow({ where: { poId } })).status;

  it('moves a PO DRAFT -> SENT -> CONFIRMED, treats a repeat as a no-op, and publishes nothing for it', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'DRAFT', lines: [{ sku: 'HAMMER', quantity: 10 }] });
    const [sent, confirmed, again] = await stack.publish('purchase-order-updates', String(poId), [
      statusChange(poId, 'SENT'),
      statusChange(poId, 'CONFIRMED'),
      statusChange(poId, 'CONFIRMED'),
    ]);
    expect(await processedOutcome(stack.db, sent!)).toBe('STATUS_CHANGED');
    expect(await processedOutcome(stack.db, confirmed!)).toBe('STATUS_CHANGED');
    expect(await processedOutcome(stack.db, again!)).toBe('STATUS_UNCHANGED');
    expect(await poStatus(poId)).toBe('CONFIRMED');
    // Procurement's own changes are not echoed on purchase-orders (see consumers/purchase-order-status-changed.ts);
    // only the level of what is incoming moves (inventory-levels).
    for (const eventId of [sent!, confirmed!, again!]) {
      expect(
        await stack.db.outboxEvent.count({ where: { eventType: { not: 'InventoryLevelChanged' }, envelope: { path: ['causationId'], equals: eventId } } }),
      ).toBe(0);
    }
  });

  it('dead-letters an illegal transition and leaves the PO as it was', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'DRAFT', lines: [{ sku: 'HAMMER', quantity: 10 }] });
    const [skipping] = await stack.publish('purchase-order-updates', String(poId), [statusChange(poId, 'CONFIRMED')]);
    const dead = await deadLetterOf(stack, skipping!);
    expect(dead.key).toBe(String(poId));
    expect(dead.headers['dlq-error-code']).toBe('ILLEGAL_TRANSITION');
    expect(dead.headers['dlq-error-message']).toBe(`purchase order ${poId}: purchase order cannot go from DRAFT to CONFIRMED`);
    expect(await poStatus(poId)).toBe('DRAFT');

    const closed = await createPurchaseOrder(stack.db, { status: 'RECEIVED', lines: [{ sku: 'HAMMER', quantity: 1, received: 1 }] });
    const [cancelClosed] = await stack.publish('purchase-order-updates', String(closed), [statusChange(closed, 'CANCELLED')]);
    expect((await deadLetterOf(stack, cancelClosed!)).headers['dlq-error-code']).toBe('ILLEGAL_TRANSITION');
    expect(await poStatus(closed)).toBe('RECEIVED');
  });

  it('dead-letters a status change for a PO that does not exist', async () => {
    const [ghost] = await stack.publish('purchase-order-updates', '424242', [statusChange(424_242, 'SENT')]);
    const dead = await deadLetterOf(stack, ghost!);
    expect(dead.headers['dlq-error-code']).toBe('UNKNOWN_PO');
    expect(dead.headers['dlq-original-topic']).toMatch(/purchase-order-updates$/);
  });

  it('a cancelled PO can no longer be received', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'CONFIRMED', lines: [{ sku: 'SAW', quantity: 4 }] });
    const [cancel] = await stack.publish('purchase-order-updates', String(poId), [statusChange(poId, 'CANCELLED')]);
    expect(await processedOutcome(stack.db, cancel!)).toBe('STATUS_CHANGED');
    expect(await poStatus(poId)).toBe('CANCELLED');

    const [receipt] = await stack.publish('goods-receipts', String(poId), [
      { eventType: 'GoodsReceived', payload: { poId, receiptId: 'R-SAW', lines: [{ sku: 'SAW', quantity: 4 }] } },
    ]);
    const rejected = await receiptOutcomeOf(stack, receipt!);
    expect(rejected.envelope.eventType).toBe('GoodsReceiptRejected');
    expect(rejected.envelope.payload).toEqual({ poId, receiptId: 'R-SAW', reason: 'INVALID_PO_STATUS', detail: expect.stringContaining('CANCELLED') });
    expect(await inventoryOf(stack.db, 'SAW')).toEqual([]);
  });
});
