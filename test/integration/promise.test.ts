import { TestStack, READ_TOKEN } from '../support/harness';
import { autoReplenished, replenishmentCatalog } from '../fixtures/replenishment-catalog';

/** Available-to-promise through real events: a reservation, a PO raised by the reorder trigger, procurement sending it. */
describe('GET /v1/promise', () => {
  let stack: TestStack;
  let url: string;
  // 13:00 in Berlin on 26 November: the reorder PO is expected 26 + 3 = 29 November (a day in Berlin).
  const clock = () => new Date('2026-11-26T12:00:00Z');

  const promise = async (query: string) => {
    const res = await fetch(`${url}/v1/promise?${query}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      replenishmentCatalog(
        [{ sku: 'PUMP', location: 'A-01-1-01', quantity: 15 }],
        [autoReplenished('PUMP', { reorderPoint: 10, reorderQuantity: 50, leadTimeDays: 3 })],
        { WH1: 'Europe/Berlin' },
      ),
    );
    const service = await stack.startService({ clock });
    url = (await stack.startApi(service, {}, { clock })).url;
  });

  afterAll(() => stack.stop());

  it('beyond stock, the promise date is the expected date of the PO the reorder trigger raised, once it is SENT', async () => {
    const [placed] = await stack.publish('orders', 'p-1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'p-1', warehouseId: 1, lines: [{ sku: 'PUMP', quantity: 6 }] } },
    ]);
    const created = await stack.recorder.waitFor(
      (ms) => ms.some((m) => m.envelope?.eventType === 'PurchaseOrderCreated' && m.envelope.causationId === placed),
      30_000,
      'PurchaseOrderCreated',
    );
    const po = created.find((m) => m.envelope?.eventType === 'PurchaseOrderCreated')!.envelope!.payload as {
      poId: number;
      expectedDate: string;
      status: string;
      lines: { quantity: number }[];
    };
    expect(po).toMatchObject({ status: 'DRAFT', expectedDate: '2026-11-29', lines: [{ quantity: 50 }] });

    // 9 available today; a DRAFT promises nothing yet.
    expect((await promise('sku=PUMP&quantity=9')).body).toEqual({
      sku: 'PUMP',
      productId: expect.any(Number),
      quantity: 9,
      warehouseId: 1,
      date: '2026-11-26',
      sources: [{ type: 'ON_HAND', quantity: 9, date: '2026-11-26' }],
    });
    expect((await promise('sku=PUMP&quantity=20')).body).toMatchObject({ warehouseId: 1, date: null });

    const [sent] = await stack.publish('purchase-order-updates', String(po.poId), [
      { eventType: 'PurchaseOrderStatusChanged', payload: { poId: po.poId, status: 'SENT' } },
    ]);
    await waitFor(
      async () =>
        (await stack.db.processedEvent.findUnique({ where: { eventId: sent! } }))?.outcome !== undefined &&
        (await stack.db.purchaseOrder.findUniqueOrThrow({ where: { poId: po.poId } })).status === 'SENT',
    );

    expect((await promise('sku=PUMP&quantity=20')).body).toEqual({
      sku: 'PUMP',
      productId: expect.any(Number),
      quantity: 20,
      warehouseId: 1,
      date: '2026-11-29',
      sources: [
        { type: 'ON_HAND', quantity: 9, date: '2026-11-26' },
        { type: 'PURCHASE_ORDER', poId: po.poId, quantity: 11, date: '2026-11-29' },
      ],
    });
    // 9 on hand + 50 incoming cover 59, not 60.
    expect((await promise('sku=PUMP&quantity=59')).body).toMatchObject({ date: '2026-11-29' });
    expect((await promise('sku=PUMP&quantity=60')).body).toMatchObject({ date: null, warehouseId: 1 });
    // The same with the warehouse named.
    expect((await promise('sku=PUMP&quantity=20&warehouseId=1')).body).toMatchObject({ warehouseId: 1, date: '2026-11-29' });
  });

  it('unknown product or warehouse: 404 problems', async () => {
    expect((await promise('sku=NOPE&quantity=1')).body).toMatchObject({ status: 404, code: 'PRODUCT_NOT_FOUND' });
    expect((await promise('sku=PUMP&quantity=1&warehouseId=77')).body).toMatchObject({ status: 404, code: 'WAREHOUSE_NOT_FOUND' });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
