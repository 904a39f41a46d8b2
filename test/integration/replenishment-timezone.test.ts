import { TestStack } from '../support/harness';
import { autoReplenished, replenishmentCatalog } from '../fixtures/replenishment-catalog';

/**
 * expectedDate = today in the WAREHOUSE's zone + lead time. At 11:30 UTC on
 * 26 November it is already 00:30 on the 27th in Auckland (NZDT, UTC+13) and
 * still 03:30 on the 26th in Los Angeles (PST, UTC-8).
 */
describe('replenishment: expected date in the warehouse time zone', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      replenishmentCatalog(
        [
          { sku: 'VALVE', warehouse: 'WH1', location: 'A-01-1-01', quantity: 12 },
          { sku: 'VALVE', warehouse: 'WH2', location: 'A-01-1-01', quantity: 12 },
        ],
        [autoReplenished('VALVE', { reorderPoint: 10, leadTimeDays: 5 })],
        { WH1: 'Pacific/Auckland', WH2: 'America/Los_Angeles' },
      ),
    );
    await stack.startService({ clock: () => new Date('2026-11-26T11:30:00Z') });
  });

  afterAll(() => stack.stop());

  async function dropBelowPoint(warehouseCode: 'WH1' | 'WH2'): Promise<{ warehouseId: number; expectedDate: string }> {
    const { warehouseId } = await stack.db.warehouse.findUniqueOrThrow({ where: { code: warehouseCode } });
    const orderId = `valve-${warehouseCode}`;
    const [eventId] = await stack.publish('orders', orderId, [
      { eventType: 'OrderPlaced', payload: { orderId, warehouseId, lines: [{ sku: 'VALVE', quantity: 5 }] } },
    ]);
    const [created] = await stack.recorder
      .waitFor((ms) => ms.some((m) => m.envelope?.eventType === 'PurchaseOrderCreated' && m.envelope.causationId === eventId))
      .then((ms) => ms.filter((m) => m.envelope?.eventType === 'PurchaseOrderCreated' && m.envelope.causationId === eventId));
    return { warehouseId: created!.envelope!.payload.warehouseId, expectedDate: created!.envelope!.payload.expectedDate };
  }

  it('Auckland: 27 Nov + 5 days', async () => {
    const { warehouseId } = await stack.db.warehouse.findUniqueOrThrow({ where: { code: 'WH1' } });
    expect(await dropBelowPoint('WH1')).toEqual({ warehouseId, expectedDate: '2026-12-02' });
  });

  it('Los Angeles: 26 Nov + 5 days, one day earlier for the same instant', async () => {
    const { warehouseId } = await stack.db.warehouse.findUniqueOrThrow({ where: { code: 'WH2' } });
    expect(await dropBelowPoint('WH2')).toEqual({ warehouseId, expectedDate: '2026-12-01' });
  });

  it('stores the same dates on the purchase orders', async () => {
    const pos = await stack.db.purchaseOrder.findMany({ include: { warehouse: true }, orderBy: { warehouseId: 'asc' } });
    expect(pos.map((p) => [p.warehouse.code, p.warehouse.timezone, p.expectedDate!.toISOString().slice(0, 10)])).toEqual([
      ['WH1', 'Pacific/Auckland', '2026-12-02'],
      ['WH2', 'America/Los_Angeles', '2026-12-01'],
    ]);
  });
});
