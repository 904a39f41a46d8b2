import { TestStack } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { loadReplenishmentCandidates } from '../../src/db/replenishment';

/**
 * One product can hold more than 2^31 units in one warehouse over several
 * rows (each row is an int). Sums of quantities must not be cast to int:
 * `SUM(...)::int` failed with 22003, so a valid OrderPlaced without
 * warehouseId was dead-lettered UNPROCESSABLE and the daily scan failed
 * (issue 16, item 3).
 */
describe('quantities summed over a warehouse beyond 2^31 units', () => {
  let stack: TestStack;
  const EACH = 2_000_000_000;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog(
        [
          { sku: 'SCREW', location: 'A-01-1-01', quantity: 1 },
          { sku: 'SCREW', location: 'A-01-1-02', quantity: 1 },
          { sku: 'SCREW', location: 'B-01-1-01', quantity: 1 },
        ],
        [{ sku: 'SCREW', unitWeightGrams: 0, dimensions: { length: 0, width: 0, height: 0 }, autoReplenish: true, reorderPoint: 10, reorderQuantity: 10 }],
      ),
    );
    // 6,000,000,000 units of SCREW in WH1, three rows of 2e9 each (the ledger is not the point here).
    await stack.db.$executeRaw`UPDATE inventory SET quantity_on_hand = ${EACH}`;
    await stack.startService();
  });

  afterAll(() => stack.stop());

  it('reserves an order without warehouseId', async () => {
    const [placed] = await stack.publish('orders', 'big-1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'big-1', lines: [{ sku: 'SCREW', quantity: 1_000_000 }] } },
    ]);
    const outcome = await stack.outcomeOf(placed!);
    expect(outcome.envelope.eventType).toBe('StockReserved');
    expect(await stack.db.reservation.aggregate({ where: { orderId: 'big-1' }, _sum: { quantity: true } })).toEqual({ _sum: { quantity: 1_000_000 } });
  });

  it('reads replenishment candidates with their available quantity', async () => {
    const candidates = await loadReplenishmentCandidates(stack.db, {});
    const screw = candidates.find((c) => c.sku === 'SCREW')!;
    expect(screw.available).toBe(3 * EACH - 1_000_000);
    expect(typeof screw.available).toBe('number');
  });
});
