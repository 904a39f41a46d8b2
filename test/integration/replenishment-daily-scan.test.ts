import { randomUUID } from 'node:crypto';
import { TestStack } from '../support/harness';
import { stockDrift } from '../support/assertions';
import { autoReplenished, replenishmentCatalog } from '../fixtures/replenishment-catalog';
import { daysBefore, recordShipments } from '../fixtures/shipment-history';
import { runDailyScan, dailyScanCauseId, type DailyScanReport, type DailyScanRow } from '../../src/replenishment/daily-scan';
import { createReplenishmentOrder } from '../../src/replenishment/purchase-orders';
import { outboundEventId } from '../../src/db/outbox';
import { replenishCommand } from '../../src/cli/replenish';
import { createLogger } from '../../src/logger';
import { UsageError } from '../../src/errors';

/**
 * The daily scan over real SHIP ledger rows. Both warehouses are in
 * Europe/Berlin; the scan runs on 26 Nov 2026 (Berlin), so its 28-day window
 * is 29 Oct - 25 Nov. Every product has reorder point 10, lead time 5,
 * reorder quantity 50 at 7.25. The scan orders when
 * available - 10 <= 2 x mean x 5, or when already below 10:
 *
 * | WH1      | history                                  | available | mean | due?              |
 * | FAST     | 4 every other day (56)                   | 30        | 2    | 20 <= 20: PO      |
 * | STEADY   | 1 a day; 100 before the window; 100 at 23:30 UTC on the 25th (= the 26th in Berlin, today) | 40 | 1 | 30 > 10: no |
 * | QUIET    | none                                     | 10        | 0    | no                |
 * | SHORT    | none                                     | 4         | 0    | below point: PO   |
 * | PENDING  | none, open PO already                    | 4         | 0    | OPEN_PURCHASE_ORDER |
 * | RETIRED  | 4 a day, inactive                        | 38        | 4    | PRODUCT_INACTIVE  |
 * | MANUAL   | 4 a day, auto_replenish off              | 38        | 4    | not scanned       |
 * FAST in WH2: 100 available, no demand: no PO there.
 */
describe('replenishment: daily scan', () => {
  let stack: TestStack;
  const today = '2026-11-26';
  const now = new Date('2026-11-26T10:00:00Z'); // 11:00 in Berlin
  const scan = (overrides: Partial<Parameters<typeof runDailyScan>[1]> = {}) =>
    runDailyScan(stack.db, { now, windowDays: 28, serviceLevel: 0.95, apply: false, ...overrides });
  const row = (report: DailyScanReport, sku: string, warehouse = 'WH1'): DailyScanRow | undefined =>
    report.rows.find((r) => r.sku === sku && r.warehouse === warehouse);
  const productId = async (sku: string) => (await stack.db.product.findUniqueOrThrow({ where: { sku } })).productId;
  const poCount = () => stack.db.purchaseOrder.count();
  const createdInOutbox = () => stack.db.outboxEvent.findMany({ where: { eventType: 'PurchaseOrderCreated' }, orderBy: { outboxId: 'asc' } });
  let first: DailyScanReport;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      replenishmentCatalog(
        [
          { sku: 'FAST', location: 'A-01-1-01', quantity: 86 },
          { sku: 'FAST', warehouse: 'WH2', location: 'A-01-1-01', quantity: 100 },
          { sku: 'STEADY', location: 'A-01-1-01', quantity: 268 },
          { sku: 'QUIET', location: 'A-01-1-01', quantity: 10 },
          { sku: 'SHORT', location: 'A-01-1-01', quantity: 4 },
          { sku: 'PENDING', location: 'A-01-1-01', quantity: 4 },
          { sku: 'RETIRED', location: 'A-01-1-01', quantity: 150 },
          { sku: 'MANUAL', location: 'A-01-1-01', quantity: 150 },
        ],
        [
          autoReplenished('FAST'),
          autoReplenished('STEADY'),
          autoReplenished('QUIET'),
          autoReplenished('SHORT'),
          autoReplenished('PENDING'),
          autoReplenished('RETIRED', { isActive: false }),
          autoReplenished('MANUAL', { autoReplenish: false }),
        ],
      ),
    );
    const window = Array.from({ length: 28 }, (_, i) => i + 1); // days before today: 1 .. 28
    await recordShipments(
      stack.db,
      'FAST',
      'WH1',
      'A-01-1-01',
      window.filter((d) => d % 2 === 0).map((d) => ({ at: daysBefore(today, d), quantity: 4 })),
    );
    await recordShipments(stack.db, 'STEADY', 'WH1', 'A-01-1-01', [
      ...window.map((d) => ({ at: daysBefore(today, d), quantity: 1 })),
      { at: daysBefore(today, 40), quantity: 100 }, // before the window
      { at: '2026-11-25T23:30:00Z', quantity: 100 }, // 00:30 on the 26th in Berlin: today, not in the window
    ]);
    for (const sku of ['RETIRED', 'MANUAL'])
      await recordShipments(
        stack.db,
        sku,
        'WH1',
        'A-01-1-01',
        window.map((d) => ({ at: daysBefore(today, d), quantity: 4 })),
      );
    await stack.db.$transaction(async (tx) => {
      const { supplierId } = await tx.supplier.findUniqueOrThrow({ where: { code: 'ACME' } });
      await createReplenishmentOrder(
        tx,
        {
          productId: await productId('PENDING'),
          sku: 'PENDING',
          supplierId,
          warehouseId: 1,
          quantity: 50,
          unitCost: '7.25',
          expectedDate: '2026-11-30',
          trigger: 'REORDER_POINT',
        },
        randomUUID(),
      );
    });
    await stack.startService(); // its outbox relay publishes what the scan stages
    first = await scan();
  });

  afterAll(() => stack.stop());

  it('orders exactly the products that are due, per warehouse', () => {
    expect(first.rows.map((r) => [r.warehouse, r.sku, r.available, r.action])).toEqual([
      ['WH1', 'FAST', 30, 'CREATED'],
      ['WH1', 'STEADY', 40, 'STOCK_SUFFICIENT'],
      ['WH1', 'QUIET', 10, 'STOCK_SUFFICIENT'],
      ['WH1', 'SHORT', 4, 'CREATED'],
      ['WH1', 'PENDING', 4, 'OPEN_PURCHASE_ORDER'],
      ['WH1', 'RETIRED', 38, 'PRODUCT_INACTIVE'],
      ['WH2', 'FAST', 100, 'STOCK_SUFFICIENT'],
    ]);
    expect(first.created).toBe(2);
  });

  it('reports demand statistics from warehouse-local days, zero days included, and the recommended point', () => {
    expect(row(first, 'FAST')).toMatchObject({ asOf: today, demandDays: 28, demandMean: 2, recommendedReorderPoint: 18, reorderPoint: 10, leadTimeDays: 5 });
    expect(row(first, 'FAST')!.demandStdDev).toBeCloseTo(Math.sqrt(112 / 27), 10); // hand-checked in test/unit/replenishment-demand.test.ts
    // The 100 units before the window and the 100 shipped on Berlin's "today" are not demand of the window.
    expect(row(first, 'STEADY')).toMatchObject({ demandMean: 1, demandStdDev: 0, recommendedReorderPoint: 5 });
    expect(row(first, 'QUIET')).toMatchObject({ demandMean: 0, demandStdDev: 0, recommendedReorderPoint: 0 });
    expect(row(first, 'FAST', 'WH2')).toMatchObject({ demandMean: 0, recommendedReorderPoint: 0 });
  });

  it('creates DAILY_SCAN purchase orders and publishes PurchaseOrderCreated with a deterministic eventId', async () => {
    const fast = row(first, 'FAST')!;
    const po = await stack.db.purchaseOrder.findUniqueOrThrow({ where: { poId: fast.poId! }, include: { lines: true } });
    const cause = dailyScanCauseId(1, today);
    expect(po).toMatchObject({ status: 'DRAFT', trigger: 'DAILY_SCAN', warehouseId: 1, replenishProductId: fast.productId, causationEventId: cause });
    expect(po.expectedDate!.toISOString().slice(0, 10)).toBe('2026-12-01');
    expect(po.lines.map((l) => [l.productId, l.quantityOrdered, l.unitCost.toString()])).toEqual([[fast.productId, 50, '7.25']]);

    const [published] = await stack.recorder
      .waitFor((ms) => ms.some((m) => m.envelope?.eventType === 'PurchaseOrderCreated' && m.key === String(po.poId)))
      .then((ms) => ms.filter((m) => m.key === String(po.poId)));
    expect(published!.topic).toBe(`${stack.config.KAFKA_TOPIC_PREFIX}purchase-orders`);
    expect(published!.envelope).toMatchObject({
      eventId: outboundEventId(cause, 'PurchaseOrderCreated', `1:${fast.productId}:${po.poId}`),
      causationId: cause,
      correlationId: `daily-scan:${today}`,
      payload: {
        poId: po.poId,
        warehouseId: 1,
        status: 'DRAFT',
        expectedDate: '2026-12-01',
        trigger: 'DAILY_SCAN',
        lines: [{ productId: fast.productId, sku: 'FAST', quantity: 50, unitCost: '7.25' }],
      },
    });
  });

  it('inactive and auto-replenish-off products get no PO', async () => {
    for (const sku of ['RETIRED', 'MANUAL']) expect(await stack.db.purchaseOrderLine.count({ where: { productId: await productId(sku) } })).toBe(0);
    expect(row(first, 'MANUAL')).toBeUndefined();
  });

  it('running it again the same day creates nothing new', async () => {
    const [pos, events] = [await poCount(), (await createdInOutbox()).length];
    const again = await scan();
    expect(again.created).toBe(0);
    expect([row(again, 'FAST')!.action, row(again, 'SHORT')!.action]).toEqual(['OPEN_PURCHASE_ORDER', 'OPEN_PURCHASE_ORDER']);
    expect(await poCount()).toBe(pos);
    expect((await createdInOutbox()).length).toBe(events);
  });

  it('a PO cancelled the same day frees the product: the rerun orders again, under a new eventId', async () => {
    const cancelled = row(first, 'SHORT')!.poId!;
    await stack.db.purchaseOrder.update({ where: { poId: cancelled }, data: { status: 'CANCELLED' } });
    const before = await createdInOutbox();

    const rerun = await scan();
    expect(row(rerun, 'SHORT')).toMatchObject({ action: 'CREATED' });
    expect(row(rerun, 'SHORT')!.poId).not.toBe(cancelled);
    const after = await createdInOutbox();
    expect(after).toHaveLength(before.length + 1); // not swallowed as a duplicate of the first SHORT event
    expect(new Set(after.map((e) => e.eventId)).size).toBe(after.length);
  });

  it('the CLI command prints the same report as JSON (--json) or a table, and only reports by default', async () => {
    const lines: string[] = [];
    const env = { config: stack.config, logger: createLogger('silent'), out: (line: string) => void lines.push(line) };
    expect(await replenishCommand.run(['--as-of', today, '--json'], env)).toBe(0);
    const report = JSON.parse(lines.join('\n')) as DailyScanReport;
    expect(report).toMatchObject({
      windowDays: stack.config.REPLENISH_DEMAND_WINDOW_DAYS,
      serviceLevel: stack.config.REPLENISH_SERVICE_LEVEL,
      created: 0,
      applied: [],
    });
    expect(row(report, 'FAST')).toMatchObject({ asOf: today, demandMean: 2, recommendedReorderPoint: 18, action: 'OPEN_PURCHASE_ORDER' });

    lines.length = 0;
    expect(await replenishCommand.run(['--as-of', today, '--window-days', '14', '--service-level', '0.99'], env)).toBe(0);
    const table = lines.join('\n').split('\n');
    expect(table[0]).toBe('demand window 14 days before as_of (warehouse-local days), service level 0.99');
    expect(table[1]).toMatch(/^warehouse\s+sku\s+as_of\s+available\s+reorder_point\s+recommended\s+mean\/day\s+sd\/day\s+lead_days\s+action$/);
    expect(table.find((l) => l.startsWith('WH1') && / FAST /.test(l))).toMatch(
      /^WH1\s+FAST\s+2026-11-26\s+30\s+10\s+\d+\s+2\.00\s+2\.08\s+5\s+OPEN_PURCHASE_ORDER$/,
    );
    expect((await stack.db.product.findUniqueOrThrow({ where: { sku: 'FAST' } })).reorderPoint).toBe(10);
  });

  it("--apply writes each product's highest warehouse recommendation, never from an empty history or for inactive products", async () => {
    const applied = await scan({ apply: true });
    expect([...applied.applied].sort((a, b) => a.sku.localeCompare(b.sku))).toEqual([
      { productId: await productId('FAST'), sku: 'FAST', from: 10, to: 18 }, // WH1 18, WH2 0
      { productId: await productId('STEADY'), sku: 'STEADY', from: 10, to: 5 },
    ]);
    const points = await stack.db.product.findMany({ select: { sku: true, reorderPoint: true }, orderBy: { sku: 'asc' } });
    expect(Object.fromEntries(points.map((p) => [p.sku, p.reorderPoint]))).toEqual({
      FAST: 18,
      MANUAL: 10,
      PENDING: 10,
      QUIET: 10,
      RETIRED: 10,
      SHORT: 10,
      STEADY: 5,
    });
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('refuses bad options as usage errors', async () => {
    const env = { config: stack.config, logger: createLogger('silent'), out: () => {} };
    await expect(replenishCommand.run(['--as-of', '2026-02-30'], env)).rejects.toThrow(UsageError);
    await expect(replenishCommand.run(['--window-days', '0'], env)).rejects.toThrow(UsageError);
    await expect(replenishCommand.run(['--service-level', '1.2'], env)).rejects.toThrow(UsageError);
    await expect(replenishCommand.run(['--bogus'], env)).rejects.toThrow(UsageError);
  });
});
