import { TestStack, READ_TOKEN, WRITE_TOKEN } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { createPurchaseOrder } from '../fixtures/purchase-orders';
import type { InventoryService } from '../../src/service';

/** The query API over a service that got its stock and reservations through real events. */
describe('query API', () => {
  let stack: TestStack;
  let service: InventoryService;
  let url: string;
  let sentPo: number;
  let draftPo: number;

  const get = async (path: string, token: string | null = READ_TOKEN) => {
    const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = (await res.json()) as Record<string, unknown> & { items?: unknown[]; nextCursor?: string | null };
    return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, body };
  };

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog(
        [
          { sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 },
          { sku: 'HAMMER', location: 'A-01-1-02', quantity: 2 },
          { sku: 'HAMMER', warehouse: 'WH2', location: 'B-01-1-01', quantity: 5 },
          { sku: 'SAW', location: 'A-01-1-01', quantity: 3 },
        ],
        [{ sku: 'SAW', reorderPoint: 5 }, { sku: 'DRILL' }],
      ),
    );
    sentPo = await createPurchaseOrder(stack.db, { warehouseCode: 'WH2', status: 'SENT', lines: [{ sku: 'HAMMER', quantity: 10, received: 4 }] });
    draftPo = await createPurchaseOrder(stack.db, {
      warehouseCode: 'WH2',
      status: 'DRAFT',
      lines: [
        { sku: 'HAMMER', quantity: 100 },
        { sku: 'DRILL', quantity: 7 },
      ],
    });
    service = await stack.startService();
    url = (await stack.startApi(service)).url;
    const [placed] = await stack.publish('orders', 'api-1', [
      {
        eventType: 'OrderPlaced',
        payload: {
          orderId: 'api-1',
          warehouseId: 1,
          lines: [
            { sku: 'HAMMER', quantity: 11 },
            { sku: 'SAW', quantity: 3 },
          ],
        },
      },
    ]);
    expect((await stack.outcomeOf(placed!)).envelope.eventType).toBe('StockReserved');
  });

  afterAll(() => stack.stop());

  // version: the key's last InventoryLevelChanged (the levels work fills it; 0 before any).
  it('GET /v1/availability: per product and warehouse, incoming from SENT/CONFIRMED/PARTIAL only, unknown SKUs listed', async () => {
    const { status, body } = await get('/v1/availability?sku=HAMMER&sku=SAW&sku=NOPE');
    expect(status).toBe(200);
    const hammer = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'HAMMER' } })).productId;
    const saw = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'SAW' } })).productId;
    expect(body).toEqual({
      items: [
        {
          productId: hammer,
          sku: 'HAMMER',
          warehouseId: 1,
          onHand: 12,
          reserved: 11,
          available: 1,
          backordered: 0,
          incoming: 0,
          status: 'IN_STOCK',
          version: expect.any(Number),
        },
        {
          productId: hammer,
          sku: 'HAMMER',
          warehouseId: 2,
          onHand: 5,
          reserved: 0,
          available: 5,
          backordered: 0,
          incoming: 6,
          status: 'IN_STOCK',
          version: expect.any(Number),
        },
        {
          productId: saw,
          sku: 'SAW',
          warehouseId: 1,
          onHand: 3,
          reserved: 3,
          available: 0,
          backordered: 0,
          incoming: 0,
          status: 'OUT_OF_STOCK',
          version: expect.any(Number),
        },
      ].sort((a, b) => a.productId - b.productId || a.warehouseId - b.warehouseId),
      unknown: ['NOPE'],
      unknownProductIds: [],
    });
    // By productId and warehouse; DRILL only has a DRAFT purchase order: no row at all.
    const drill = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'DRILL' } })).productId;
    const one = await get(`/v1/availability?productId=${hammer}&productId=${drill}&productId=999999&warehouseId=2`);
    expect(one.body).toEqual({ items: [expect.objectContaining({ sku: 'HAMMER', warehouseId: 2, incoming: 6 })], unknown: [], unknownProductIds: [999999] });
  });

  it('GET /v1/availability: LOW_STOCK below the reorder point', async () => {
    await stack.publish('inventory-operations', '1', [
      { eventType: 'StockAdjusted', payload: { sku: 'SAW', locationId: 1, quantityDelta: 4, reason: 'found' } },
    ]);
    await waitFor(
      async () =>
        (await get('/v1/availability?sku=SAW')).body.items?.length === 1 &&
        ((await get('/v1/availability?sku=SAW')).body.items![0] as { available: number }).available === 4,
    );
    expect((await get('/v1/availability?sku=SAW')).body.items).toEqual([
      expect.objectContaining({ onHand: 7, reserved: 3, available: 4, status: 'LOW_STOCK' }),
    ]);
  });

  it('GET /v1/availability: no product named, or more than 100, is a 400 problem', async () => {
    const none = await get('/v1/availability');
    expect(none.status).toBe(400);
    expect(none.type).toMatch(/^application\/problem\+json/);
    expect(none.body).toMatchObject({ status: 400, code: 'PRODUCT_REQUIRED', type: 'urn:inventory-service:problem:PRODUCT_REQUIRED' });
    const many = await get(`/v1/availability?${Array.from({ length: 101 }, (_, i) => `sku=S${i}`).join('&')}`);
    expect(many.body).toMatchObject({ status: 400, code: 'TOO_MANY_PRODUCTS' });
  });

  it('GET /v1/products/{sku}/stock: per location, paged by cursor', async () => {
    const first = await get('/v1/products/HAMMER/stock?limit=2');
    expect(first.body.items).toEqual([
      expect.objectContaining({ warehouseId: 1, location: 'A-01-1-01', type: 'PICK_FACE', onHand: 10, reserved: 10, available: 0 }),
      expect.objectContaining({ warehouseId: 1, location: 'A-01-1-02', onHand: 2, reserved: 1, available: 1 }),
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`/v1/products/HAMMER/stock?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [expect.objectContaining({ warehouseId: 2, location: 'B-01-1-01', onHand: 5 })], nextCursor: null });
    expect((await get('/v1/products/NOPE/stock')).body).toMatchObject({ status: 404, code: 'PRODUCT_NOT_FOUND' });
  });

  it('GET /v1/orders/{orderId}: the reservation per line and location, then shipped', async () => {
    const open = await get('/v1/orders/api-1');
    expect(open.body).toMatchObject({
      orderId: 'api-1',
      status: 'OPEN',
      holdUntil: null,
      warehouseIds: [1],
      lines: [
        {
          sku: 'HAMMER',
          quantity: 11,
          reserved: 11,
          shipped: 0,
          released: 0,
          backordered: 0,
          allocations: [expect.objectContaining({ location: 'A-01-1-01', quantity: 10 }), expect.objectContaining({ location: 'A-01-1-02', quantity: 1 })],
        },
        { sku: 'SAW', quantity: 3, reserved: 3, shipped: 0 },
      ],
    });
    const [shipped] = await stack.publish('orders', 'api-1', [{ eventType: 'OrderShipped', payload: { orderId: 'api-1' } }]);
    expect((await stack.outcomeOf(shipped!)).envelope.eventType).toBe('StockShipped');
    expect((await get('/v1/orders/api-1')).body).toMatchObject({
      status: 'FULFILLED',
      lines: [
        { sku: 'HAMMER', reserved: 0, shipped: 11 },
        { sku: 'SAW', reserved: 0, shipped: 3 },
      ],
    });
    expect((await get('/v1/orders/nobody')).body).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
  });

  it('GET /v1/ledger: newest first, by reference, sku and time window, paged', async () => {
    const all = await get('/v1/ledger?referenceId=api-1');
    const types = (all.body.items as { type: string; sku: string; quantity: number }[]).map((r) => `${r.type} ${r.sku} ${r.quantity}`);
    // Ship rows after reserve rows (newest first); per location.
    expect(types.slice(0, 3).every((t) => t.startsWith('SHIP'))).toBe(true);
    expect(types.filter((t) => t.startsWith('RESERVE')).sort()).toEqual(['RESERVE HAMMER 1', 'RESERVE HAMMER 10', 'RESERVE SAW 3']);
    const ids = (all.body.items as { txnId: number }[]).map((r) => r.txnId);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const pageOne = await get('/v1/ledger?referenceId=api-1&limit=2');
    const pageTwo = await get(`/v1/ledger?referenceId=api-1&limit=2&cursor=${pageOne.body.nextCursor}`);
    expect([...pageOne.body.items!, ...pageTwo.body.items!]).toEqual(all.body.items!.slice(0, 4));

    const saw = await get('/v1/ledger?sku=SAW');
    expect((saw.body.items as { sku: string }[]).every((r) => r.sku === 'SAW')).toBe(true);
    const future = await get(`/v1/ledger?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.body).toEqual({ items: [], nextCursor: null });
    expect((await get('/v1/ledger?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).body).toMatchObject({ status: 400, code: 'INVALID_PARAMETER' });
  });

  it('GET /v1/purchase-orders and /{poId}: with their lines, ordered and received', async () => {
    const sent = await get('/v1/purchase-orders?status=SENT');
    expect(sent.body).toEqual({
      items: [
        expect.objectContaining({
          poId: sentPo,
          status: 'SENT',
          warehouseId: 2,
          lines: [expect.objectContaining({ sku: 'HAMMER', ordered: 10, received: 4 })],
        }),
      ],
      nextCursor: null,
    });
    const all = await get('/v1/purchase-orders?warehouseId=2&limit=1');
    expect((all.body.items as { poId: number }[]).map((p) => p.poId)).toEqual([draftPo]);
    const rest = await get(`/v1/purchase-orders?warehouseId=2&limit=1&cursor=${all.body.nextCursor}`);
    expect((rest.body.items as { poId: number }[]).map((p) => p.poId)).toEqual([sentPo]);
    expect((await get(`/v1/purchase-orders/${draftPo}`)).body).toMatchObject({
      poId: draftPo,
      status: 'DRAFT',
      lines: [
        { sku: 'HAMMER', ordered: 100 },
        { sku: 'DRILL', ordered: 7 },
      ],
    });
    expect((await get('/v1/purchase-orders/424242')).body).toMatchObject({ status: 404, code: 'PURCHASE_ORDER_NOT_FOUND' });
  });

  it('tokens: 401 without or with an unknown token, 403 for a read token on a write route; the OpenAPI document is public', async () => {
    const none = await get('/v1/availability?sku=HAMMER', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await get('/v1/availability?sku=HAMMER', 'not-a-known-token-at-all')).status).toBe(401);
    // Unknown routes under /v1 do not tell a caller without a token that they do not exist.
    expect((await get('/v1/nothing-here', null)).status).toBe(401);
    expect((await get('/v1/nothing-here')).body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const forbidden = await fetch(`${url}/v1/dead-letters/1/redrive`, { method: 'POST', headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'FORBIDDEN' });
    // A write token can read.
    expect((await get('/v1/availability?sku=HAMMER', WRITE_TOKEN)).status).toBe(200);
    const doc = await get('/v1/openapi.json', null);
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ openapi: '3.1.0' });
  });

  it('limit above 500 and a cursor this API did not make are 400', async () => {
    expect((await get('/v1/ledger?limit=501')).body).toMatchObject({ status: 400, code: 'INVALID_PARAMETER', errors: [{ path: 'querystring.limit' }] });
    expect((await get('/v1/ledger?limit=500')).status).toBe(200);
    expect((await get('/v1/ledger?cursor=bm9wZQ')).body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
  });

  it('rate limit per token: 429 with Retry-After; another token is not affected', async () => {
    const limited = await stack.startApi(service, { API_RATE_LIMIT_PER_MINUTE: '3' });
    const call = (token: string) => fetch(`${limited.url}/v1/availability?sku=HAMMER`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 3; i++) expect((await call(READ_TOKEN)).status).toBe(200);
    const refused = await call(READ_TOKEN);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await call(WRITE_TOKEN)).status).toBe(200);
  });

  it('no tokens configured: every /v1 request is 401; API_AUTH=disabled: no token needed', async () => {
    const locked = await stack.startApi(service, { API_TOKENS: '' });
    expect((await fetch(`${locked.url}/v1/availability?sku=HAMMER`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status).toBe(401);
    const open = await stack.startApi(service, { API_TOKENS: '', API_AUTH: 'disabled' });
    expect((await fetch(`${open.url}/v1/availability?sku=HAMMER`)).status).toBe(200);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
