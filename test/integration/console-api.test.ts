import { READ_TOKEN, TestStack, WRITE_TOKEN } from '../support/harness';
import type { InventoryService } from '../../src/service';
import { createPurchaseOrder } from '../fixtures/purchase-orders';
import { locationIdOf, receiptOutcomeOf } from '../support/receiving-helpers';
import { waitUntil } from '../support/kafka';
import demo from '../../prisma/fixtures/demo.json';
import type { ImportFileInput } from '../../src/master-data/import-schema';

/** The console's shell and the reads it adds to /v1, over real HTTP against a real database and broker. */
describe('operator console: shell and console reads', () => {
  let stack: TestStack;
  let service: InventoryService;
  let base: string;
  const get = (path: string, token: string | null = READ_TOKEN) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  // Answers are checked field by field below.
  const json = async (path: string, token: string = READ_TOKEN): Promise<any> => (await get(path, token)).json();

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(demo as ImportFileInput);
    service = await stack.startService();
    base = (await stack.startApi(service)).url;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the sign-in shell without a token, with a strict content security policy', async () => {
    const shell = await get('/console/', null);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toMatch(/^text\/html/);
    expect(shell.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(shell.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await shell.text();
    expect(html).toContain('id="sign-in"');
    // Nothing from elsewhere: every src and href is this service's own or a fragment.
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]*)"/g)) expect(url).toMatch(/^(\/console\/|#|data:)/);
    const script = await get('/console/app.js', null);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await get('/console', null)).status).toBeLessThan(400);
    expect((await get('/console/../package.json', null)).status).toBe(404);
  });

  it('answers who a token is, and refuses no token or an unknown one', async () => {
    expect(await json('/v1/session')).toEqual({ name: 'reader', scope: 'read' });
    expect(await json('/v1/session', WRITE_TOKEN)).toEqual({ name: 'writer', scope: 'write' });
    expect((await get('/v1/session', null)).status).toBe(401);
    const refused = await get('/v1/session', 'not-a-token-of-this-service');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('finds products by SKU prefix or by part of the name, a page at a time', async () => {
    const bySku = await json('/v1/products?q=ham');
    expect(bySku.items.map((p: { sku: string }) => p.sku)).toEqual(['HAMMER-16OZ']);
    const byName = await json('/v1/products?q=SAW');
    expect(byName.items.map((p: { sku: string }) => p.sku)).toEqual(['SAW-550']);
    // 'o' is in three demo names: a page of 2 then the rest, no row twice, none lost.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const answer: { items: { sku: string }[]; nextCursor: string | null } = await json(`/v1/products?q=o&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.items.length).toBeLessThanOrEqual(2);
      seen.push(...answer.items.map((p) => p.sku));
      cursor = answer.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['BOLT-M8', 'CHISEL-OLD', 'HAMMER-16OZ']);
    // LIKE wildcards are text, not patterns.
    expect((await json('/v1/products?q=%25')).items).toEqual([]);
    expect((await get('/v1/products')).status).toBe(400);
  });

  it('lists warehouses with their codes', async () => {
    const answer = await json('/v1/warehouses');
    expect(answer.items.map((w: { code: string }) => w.code)).toEqual(['BER1', 'AKL1']);
  });

  it('lists products out of stock or low, with the same figures as availability', async () => {
    const alerts = await json('/v1/stock-alerts');
    // Demo stock: SAW-550 has 3 (reorder point 2: fine), HAMMER 48, BOLT 60 / 200 (reorder point 20): nothing is low yet.
    expect(alerts.items).toEqual([]);
    await stack.db.$executeRaw`UPDATE inventory SET quantity_on_hand = 1 FROM product p WHERE p.product_id = inventory.product_id AND p.sku = 'SAW-550'`;
    const low = await json('/v1/stock-alerts');
    expect(low.items).toEqual([expect.objectContaining({ sku: 'SAW-550', available: 1, reorderPoint: 2, status: 'LOW_STOCK' })]);
    const availability = await json('/v1/availability?sku=SAW-550');
    expect(availability.items[0]).toMatchObject({ available: 1, status: 'LOW_STOCK' });
  });

  it("lists a product's open purchase orders soonest first, and a PO's receipts with their put-away", async () => {
    const draft = await createPurchaseOrder(stack.db, { warehouseCode: 'BER1', status: 'DRAFT', lines: [{ sku: 'BOLT-M8', quantity: 30 }] });
    const confirmed = await createPurchaseOrder(stack.db, {
      warehouseCode: 'BER1',
      status: 'CONFIRMED',
      lines: [
        { sku: 'BOLT-M8', quantity: 100 },
        { sku: 'SAW-550', quantity: 5 },
      ],
    });
    const received = await createPurchaseOrder(stack.db, { warehouseCode: 'AKL1', status: 'PARTIAL', lines: [{ sku: 'BOLT-M8', quantity: 10, received: 10 }] });
    await stack.db.$executeRaw`UPDATE purchase_order SET expected_date = '2026-12-20' WHERE po_id = ${draft}`;
    await stack.db.$executeRaw`UPDATE purchase_order SET expected_date = '2026-12-10' WHERE po_id = ${confirmed}`;

    // Soonest first, a page of one at a time; the PARTIAL PO with nothing left to come is not listed.
    const first = await json('/v1/products/BOLT-M8/incoming?limit=1');
    expect(first.items).toEqual([
      {
        poId: confirmed,
        warehouseId: expect.any(Number),
        status: 'CONFIRMED',
        expectedDate: '2026-12-10',
        quantityOrdered: 100,
        quantityReceived: 0,
        quantityOpen: 100,
      },
    ]);
    const second = await json(`/v1/products/BOLT-M8/incoming?limit=1&cursor=${first.nextCursor}`);
    expect(second.items).toEqual([expect.objectContaining({ poId: draft, status: 'DRAFT', expectedDate: '2026-12-20', quantityOpen: 30 })]);
    expect(second.nextCursor).toBeNull();
    expect(JSON.stringify([first, second])).not.toContain(`"poId":${received}`);
    expect((await get('/v1/products/NO-SUCH-SKU/incoming')).status).toBe(404);

    const bin = await locationIdOf(stack.db, 'BER1', 'B-01-1-01');
    const [receipt] = await stack.publish('goods-receipts', String(confirmed), [
      {
        eventType: 'GoodsReceived',
        payload: { poId: confirmed, receiptId: 'GR-1', receivedBy: 'dock-2', lines: [{ sku: 'BOLT-M8', quantity: 40, locationId: bin }] },
      },
    ]);
    expect((await receiptOutcomeOf(stack, receipt!)).envelope.eventType).toBe('GoodsReceiptRecorded');
    const receipts = await json(`/v1/purchase-orders/${confirmed}/receipts`);
    expect(receipts).toEqual({
      items: [
        {
          receiptId: 'GR-1',
          receivedBy: 'dock-2',
          receivedAt: expect.any(String),
          lines: [{ sku: 'BOLT-M8', locationId: bin, location: 'B-01-1-01', quantity: 40 }],
        },
      ],
      nextCursor: null,
    });
    expect((await json(`/v1/products/BOLT-M8/incoming?limit=1`)).items[0]).toMatchObject({
      poId: confirmed,
      status: 'PARTIAL',
      quantityReceived: 40,
      quantityOpen: 60,
    });
    expect((await json(`/v1/purchase-orders/${draft}/receipts`)).items).toEqual([]);
  });

  it('gives the overview: dead letters of the last day by code, open purchase orders, lag per inbound topic from the broker', async () => {
    await stack.db
      .$executeRaw`INSERT INTO dead_letter (topic, partition, "offset", error_code, error_message) VALUES ('x.orders', 0, 1, 'INVALID_JSON', 'r'), ('x.orders', 0, 2, 'INVALID_JSON', 'r'), ('x.orders', 0, 3, 'UNKNOWN_EVENT_TYPE', 'r')`;
    await stack.db
      .$executeRaw`INSERT INTO dead_letter (topic, partition, "offset", error_code, error_message, created_at) VALUES ('x.orders', 0, 4, 'OLD_ONE', 'r', now() - interval '25 hours')`;
    const overview = await json('/v1/overview');
    expect(overview.deadLettersLast24h).toEqual([
      { code: 'INVALID_JSON', count: 2 },
      { code: 'UNKNOWN_EVENT_TYPE', count: 1 },
    ]);
    expect(overview.openPurchaseOrders).toEqual([
      { status: 'DRAFT', count: 1, earliestExpectedDate: '2026-12-20' },
      { status: 'PARTIAL', count: 2, earliestExpectedDate: '2026-12-10' },
    ]);
    expect(overview.consumerLagProblem).toBeNull();
    expect(overview.consumerGroup).toBe(stack.config.KAFKA_GROUP_ID);
    expect(overview.consumerLag.map((t: { topic: string }) => t.topic).sort()).toEqual([
      'goods-receipts',
      'inventory-operations',
      'orders',
      'purchase-order-updates',
    ]);

    // A group that has read nothing is behind by every message on the topic: two more after two more are sent.
    const idle = await stack.startApi(service, { KAFKA_GROUP_ID: `${stack.config.KAFKA_TOPIC_PREFIX}nobody` });
    const lagOf = async (topic: string): Promise<{ topic: string; lag: number; partitions: number }> => {
      const answer: any = await (await fetch(`${idle.url}/v1/overview`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).json();
      return answer.consumerLag.find((t: { topic: string }) => t.topic === topic);
    };
    const before = await lagOf('goods-receipts');
    await stack.publishRaw('goods-receipts', '1', '{}');
    await stack.publishRaw('goods-receipts', '2', '{}');
    // Answers are cached for a few seconds (consoles on many desks must not hammer the broker): wait for the next measure.
    await waitUntil(async () => (await lagOf('goods-receipts')).lag !== before.lag, 20_000, 'lag measured again');
    expect(await lagOf('goods-receipts')).toEqual({ topic: 'goods-receipts', lag: before.lag + 2, partitions: 3 });
    expect(await lagOf('purchase-order-updates')).toEqual({ topic: 'purchase-order-updates', lag: 0, partitions: 3 });
  });
});
