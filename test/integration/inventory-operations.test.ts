import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { waitUntil } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';

/**
 * Warehouse operations on inventory-operations (keyed by locationId). A
 * successful operation publishes nothing, so those tests wait for the inbox
 * row instead; a refusal publishes one StockAdjustmentRejected.
 */
describe('inventory operations through Kafka', () => {
  let stack: TestStack;
  const locations = new Map<string, number>();
  const loc = (warehouse: string, name: string) => locations.get(`${warehouse}/${name}`)!;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog(
        [
          { sku: 'WIDGET', location: 'A-01-1-01', quantity: 10 },
          { sku: 'GASKET', location: 'A-01-1-01', quantity: 2 },
          { sku: 'BRACKET', location: 'A-01-1-02', quantity: 10 },
          { sku: 'HINGE', location: 'B-01-1-01', quantity: 20 },
          { sku: 'PULLEY', location: 'B-01-1-01', quantity: 30 },
          { sku: 'SPRING', location: 'Z-01-1-01', quantity: 8 },
          { sku: 'BOULDER', warehouse: 'WH2', location: 'B-01-1-01', quantity: 10 },
          { sku: 'BOULDER', warehouse: 'WH2', location: 'A-01-1-01', quantity: 4 },
          { sku: 'FILTER', location: 'A-01-1-02', quantity: 12 },
        ],
        [
          // 100 kg a unit: a 500 kg pick face holding 4 has room for one more.
          { sku: 'BOULDER', unitWeightGrams: 100_000 },
          { sku: 'FILTER', autoReplenish: true, reorderPoint: 10, reorderQuantity: 50 },
        ],
      ),
    );
    for (const l of await stack.db.location.findMany({ include: { warehouse: true } })) {
      locations.set(`${l.warehouse.code}/${l.aisle}-${l.bay}-${l.level}-${l.bin}`, l.locationId);
    }
    await stack.startService();
  });

  afterAll(() => stack.stop());

  async function send(eventType: string, locationId: number, payload: object): Promise<string> {
    const [eventId] = await stack.publish('inventory-operations', String(locationId), [{ eventType, payload }]);
    return eventId!;
  }

  /** The inbox outcome word, once the event's transaction has committed. */
  async function applied(eventId: string): Promise<string> {
    const find = () => stack.db.processedEvent.findUnique({ where: { eventId } });
    await waitUntil(async () => (await find()) !== null, 30_000, `event ${eventId} was not processed`);
    return (await find())!.outcome;
  }

  async function ledgerOf(eventId: string) {
    const rows = await stack.db.inventoryTransaction.findMany({ where: { eventId }, orderBy: { txnId: 'asc' } });
    return rows.map((r) => [r.txnType, r.locationId, r.quantity, r.referenceType, r.referenceId]);
  }

  async function expectRejected(eventId: string, expected: { sku: string | null; locationId: number; reason: string }) {
    const outcome = await stack.outcomeOf(eventId);
    expect(outcome.envelope.eventType).toBe('StockAdjustmentRejected');
    expect(outcome.key).toBe(String(expected.locationId));
    // An unknown product is echoed as the sender named it (here by sku only).
    expect(outcome.envelope.payload).toEqual({ productId: expected.reason === 'UNKNOWN_PRODUCT' ? null : expect.any(Number), ...expected });
    expect(await ledgerOf(eventId)).toEqual([]);
  }

  async function reserve(orderId: string, sku: string, quantity: number) {
    const [eventId] = await stack.publish('orders', orderId, [{ eventType: 'OrderPlaced', payload: { orderId, warehouseId: 1, lines: [{ sku, quantity }] } }]);
    expect((await stack.outcomeOf(eventId!)).envelope.eventType).toBe('StockReserved');
  }

  it('adjusts stock up and down with signed ADJUST rows referencing the reason', async () => {
    const up = await send('StockAdjusted', loc('WH1', 'A-01-1-01'), { sku: 'WIDGET', locationId: loc('WH1', 'A-01-1-01'), quantityDelta: 5, reason: 'FOUND' });
    expect(await applied(up)).toBe('ADJUSTED_UP');
    const down = await send('StockAdjusted', loc('WH1', 'A-01-1-01'), {
      sku: 'WIDGET',
      locationId: loc('WH1', 'A-01-1-01'),
      quantityDelta: -3,
      reason: 'DAMAGED',
    });
    expect(await applied(down)).toBe('ADJUSTED_DOWN');

    expect(await inventoryOf(stack.db, 'WIDGET')).toEqual([{ location: 'A-01-1-01', onHand: 12, reserved: 0, available: 12 }]);
    expect(await ledgerOf(up)).toEqual([['ADJUST', loc('WH1', 'A-01-1-01'), 5, 'ADJUSTMENT', 'FOUND']]);
    expect(await ledgerOf(down)).toEqual([['ADJUST', loc('WH1', 'A-01-1-01'), -3, 'ADJUSTMENT', 'DAMAGED']]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('a positive adjustment where the product has no row creates it', async () => {
    const eventId = await send('StockAdjusted', loc('WH1', 'Z-01-1-01'), {
      sku: 'WIDGET',
      locationId: loc('WH1', 'Z-01-1-01'),
      quantityDelta: 4,
      reason: 'FOUND IN OVERFLOW',
    });
    expect(await applied(eventId)).toBe('ADJUSTED_UP');
    expect((await inventoryOf(stack.db, 'WIDGET')).find((r) => r.location === 'Z-01-1-01')).toEqual({
      location: 'Z-01-1-01',
      onHand: 4,
      reserved: 0,
      available: 4,
    });
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses an adjustment below zero', async () => {
    const eventId = await send('StockAdjusted', loc('WH1', 'A-01-1-01'), {
      sku: 'GASKET',
      locationId: loc('WH1', 'A-01-1-01'),
      quantityDelta: -3,
      reason: 'LOST',
    });
    await expectRejected(eventId, { sku: 'GASKET', locationId: loc('WH1', 'A-01-1-01'), reason: 'BELOW_ZERO' });
    expect(await inventoryOf(stack.db, 'GASKET')).toEqual([{ location: 'A-01-1-01', onHand: 2, reserved: 0, available: 2 }]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses an adjustment below what is reserved', async () => {
    await reserve('ops-order-1', 'BRACKET', 6);
    const eventId = await send('StockAdjusted', loc('WH1', 'A-01-1-02'), {
      sku: 'BRACKET',
      locationId: loc('WH1', 'A-01-1-02'),
      quantityDelta: -5,
      reason: 'DAMAGED',
    });
    await expectRejected(eventId, { sku: 'BRACKET', locationId: loc('WH1', 'A-01-1-02'), reason: 'BELOW_RESERVED' });
    expect(await inventoryOf(stack.db, 'BRACKET')).toEqual([{ location: 'A-01-1-02', onHand: 10, reserved: 6, available: 4 }]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses unknown products and locations with a rejection, not a dead letter', async () => {
    const product = await send('StockAdjusted', loc('WH1', 'A-01-1-01'), {
      sku: 'NOPE',
      locationId: loc('WH1', 'A-01-1-01'),
      quantityDelta: 1,
      reason: 'FOUND',
    });
    await expectRejected(product, { sku: 'NOPE', locationId: loc('WH1', 'A-01-1-01'), reason: 'UNKNOWN_PRODUCT' });
    const location = await send('StockAdjusted', 9999, { sku: 'WIDGET', locationId: 9999, quantityDelta: 1, reason: 'FOUND' });
    await expectRejected(location, { sku: 'WIDGET', locationId: 9999, reason: 'UNKNOWN_LOCATION' });
    expect(stack.recorder.messages.filter((m) => m.headers['dlq-error-code'])).toEqual([]);
  });

  it('a negative adjustment below the reorder point drafts a purchase order in the same transaction', async () => {
    const eventId = await send('StockAdjusted', loc('WH1', 'A-01-1-02'), {
      sku: 'FILTER',
      locationId: loc('WH1', 'A-01-1-02'),
      quantityDelta: -5,
      reason: 'DAMAGED',
    });
    const created = await stack.outcomeOf(eventId);
    expect(created.envelope.eventType).toBe('PurchaseOrderCreated');
    expect(created.envelope.payload).toMatchObject({ warehouseId: 1, trigger: 'REORDER_POINT', lines: [{ sku: 'FILTER', quantity: 50 }] });
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('a count sets on hand through an ADJUST row and stamps last_counted_at', async () => {
    const at = loc('WH1', 'B-01-1-01');
    const eventId = await send('StockCounted', at, { sku: 'HINGE', locationId: at, countedQuantity: 17 });
    expect(await applied(eventId)).toBe('COUNT_ADJUSTED');
    expect(await inventoryOf(stack.db, 'HINGE')).toEqual([{ location: 'B-01-1-01', onHand: 17, reserved: 0, available: 17 }]);
    expect(await ledgerOf(eventId)).toEqual([['ADJUST', at, -3, 'COUNT', eventId]]);
    const first = await stack.db.inventory.findFirstOrThrow({ where: { product: { sku: 'HINGE' }, locationId: at } });
    expect(first.lastCountedAt).not.toBeNull();

    // A count that confirms the books writes no ledger row but is still recorded as a count.
    const confirm = await send('StockCounted', at, { sku: 'HINGE', locationId: at, countedQuantity: 17 });
    expect(await applied(confirm)).toBe('COUNT_CONFIRMED');
    expect(await ledgerOf(confirm)).toEqual([]);
    const second = await stack.db.inventory.findFirstOrThrow({ where: { product: { sku: 'HINGE' }, locationId: at } });
    expect(second.lastCountedAt!.getTime()).toBeGreaterThan(first.lastCountedAt!.getTime());
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses a count below what is reserved', async () => {
    await reserve('ops-order-2', 'BRACKET', 1); // BRACKET now has 7 reserved of 10
    const eventId = await send('StockCounted', loc('WH1', 'A-01-1-02'), { sku: 'BRACKET', locationId: loc('WH1', 'A-01-1-02'), countedQuantity: 6 });
    await expectRejected(eventId, { sku: 'BRACKET', locationId: loc('WH1', 'A-01-1-02'), reason: 'BELOW_RESERVED' });
    expect(await inventoryOf(stack.db, 'BRACKET')).toEqual([{ location: 'A-01-1-02', onHand: 10, reserved: 7, available: 3 }]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('a transfer moves stock and writes a TRANSFER pair', async () => {
    const from = loc('WH1', 'B-01-1-01');
    const to = loc('WH1', 'A-01-1-01');
    const eventId = await send('StockTransferred', from, { sku: 'PULLEY', fromLocationId: from, toLocationId: to, quantity: 12 });
    expect(await applied(eventId)).toBe('TRANSFERRED');
    expect(await inventoryOf(stack.db, 'PULLEY')).toEqual([
      { location: 'A-01-1-01', onHand: 12, reserved: 0, available: 12 },
      { location: 'B-01-1-01', onHand: 18, reserved: 0, available: 18 },
    ]);
    expect(await ledgerOf(eventId)).toEqual([
      ['TRANSFER', from, -12, 'TRANSFER', eventId],
      ['TRANSFER', to, 12, 'TRANSFER', eventId],
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses to transfer reserved stock', async () => {
    const from = loc('WH1', 'Z-01-1-01');
    await reserve('ops-order-3', 'SPRING', 5);
    const eventId = await send('StockTransferred', from, { sku: 'SPRING', fromLocationId: from, toLocationId: loc('WH1', 'B-01-1-01'), quantity: 4 });
    await expectRejected(eventId, { sku: 'SPRING', locationId: from, reason: 'INSUFFICIENT_UNRESERVED_STOCK' });
    expect(await inventoryOf(stack.db, 'SPRING')).toEqual([{ location: 'Z-01-1-01', onHand: 8, reserved: 5, available: 3 }]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses a transfer into a location without room, then takes what fits', async () => {
    const from = loc('WH2', 'B-01-1-01');
    const to = loc('WH2', 'A-01-1-01');
    const tooMuch = await send('StockTransferred', from, { sku: 'BOULDER', fromLocationId: from, toLocationId: to, quantity: 2 });
    await expectRejected(tooMuch, { sku: 'BOULDER', locationId: to, reason: 'NO_PUTAWAY_CAPACITY' });

    const fits = await send('StockTransferred', from, { sku: 'BOULDER', fromLocationId: from, toLocationId: to, quantity: 1 });
    expect(await applied(fits)).toBe('TRANSFERRED');
    expect(await inventoryOf(stack.db, 'BOULDER')).toEqual([
      { location: 'A-01-1-01', onHand: 5, reserved: 0, available: 5 },
      { location: 'B-01-1-01', onHand: 9, reserved: 0, available: 9 },
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses a transfer between warehouses', async () => {
    const from = loc('WH1', 'B-01-1-01');
    const to = loc('WH2', 'A-01-1-02');
    const eventId = await send('StockTransferred', from, { sku: 'PULLEY', fromLocationId: from, toLocationId: to, quantity: 1 });
    await expectRejected(eventId, { sku: 'PULLEY', locationId: to, reason: 'DIFFERENT_WAREHOUSE' });
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
