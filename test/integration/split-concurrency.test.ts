import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';

const ORDERS = 12;

/**
 * Split orders lock the rows of every warehouse they may draw on in one
 * statement, in the one global (product_id, location_id) order: two
 * instances reserving split orders at once queue on the rows and never
 * deadlock, and the two units are never promised twice.
 */
describe('split orders under concurrency (two instances)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog([
        { sku: 'RARE', location: 'A-01-1-01', quantity: 1 },
        { sku: 'RARE', warehouse: 'WH2', location: 'A-01-1-01', quantity: 1 },
      ]),
    );
  });

  afterAll(() => stack.stop());

  it('stock of one unit in each of two warehouses: of many split orders for two units, exactly one is reserved', async () => {
    await stack.startService();
    await stack.startService();
    await stack.waitForGroupMembers(2);

    const ids = (
      await Promise.all(
        Array.from({ length: ORDERS }, (_, i) =>
          stack.publish('orders', `rare-${i}`, [
            { eventType: 'OrderPlaced', payload: { orderId: `rare-${i}`, sourcing: 'SPLIT', lines: [{ sku: 'RARE', quantity: 2 }] } },
          ]),
        ),
      )
    ).flat();
    const outcomes = (await stack.outcomesOf(ids, 90_000)).map((o) => o.map((m) => m.envelope!.eventType));

    expect(outcomes.every((o) => o.length === 1)).toBe(true);
    const types = outcomes.map((o) => o[0]);
    expect(types.filter((t) => t === 'StockReserved')).toHaveLength(1);
    expect(types.filter((t) => t === 'InsufficientStock')).toHaveLength(ORDERS - 1);
    const winner = stack.recorder.messages.find((m) => m.envelope?.eventType === 'StockReserved')!;
    expect(winner.envelope!.payload).toMatchObject({
      warehouseIds: [1, 2],
      lines: [
        {
          quantity: 2,
          allocations: [
            { warehouseId: 1, quantity: 1 },
            { warehouseId: 2, quantity: 1 },
          ],
        },
      ],
    });
    expect((await inventoryOf(stack.db, 'RARE')).map((r) => r.reserved)).toEqual([1, 1]);
    expect(stack.recorder.messages.filter((m) => m.headers['dlq-error-code'] !== undefined)).toEqual([]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
