import { TestStack } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { reconcile } from '../../src/ops/reconcile';
import { reconcileCommand } from '../../src/cli/reconcile';
import { createLogger } from '../../src/logger';

/**
 * Reconciliation against real data: stock imported through the ledger and
 * reserved through Kafka is clean; a hand-made change to inventory shows up as
 * drift with the right figures, and the command's exit status says so.
 */
describe('reconcile', () => {
  let stack: TestStack;
  let hammer: number;
  let pickFace: number;

  async function runCli(args: string[]): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await reconcileCommand.run(args, { config: stack.config, logger: createLogger('silent'), out: (l) => lines.push(l) });
    return { code, lines };
  }

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog([
        { sku: 'HAMMER', location: 'A-01-1-01', quantity: 5 },
        { sku: 'HAMMER', location: 'B-01-1-01', quantity: 20 },
        { sku: 'SAW', location: 'A-01-1-02', quantity: 3 },
      ]),
    );
    await stack.startService();
    const [eventId] = await stack.publish('orders', 'rc-1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'rc-1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 8 }] } },
    ]);
    expect((await stack.outcomeOf(eventId!)).envelope.eventType).toBe('StockReserved');
    hammer = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'HAMMER' } })).productId;
    pickFace = (await stack.db.location.findFirstOrThrow({ where: { aisle: 'A', bay: '01', level: '1', bin: '01', warehouse: { code: 'WH1' } } })).locationId;
  });

  afterAll(() => stack.stop());

  it('is clean after import and a reservation through Kafka (exit 0)', async () => {
    const report = await reconcile(stack.db);
    expect(report).toEqual({ clean: true, checked: 3, drift: [], violations: [] });
    const { code, lines } = await runCli([]);
    expect(code).toBe(0);
    expect(lines).toEqual(['clean: 3 (product, location) places agree with the ledger and reservations']);
  });

  it('reports on-hand drift introduced by hand, with the figures (exit 1, table and --json)', async () => {
    await stack.db.$executeRaw`UPDATE inventory SET quantity_on_hand = quantity_on_hand + 1 WHERE product_id = ${hammer} AND location_id = ${pickFace}`;
    const report = await reconcile(stack.db);
    expect(report.clean).toBe(false);
    expect(report.violations).toEqual([]);
    expect(report.drift).toEqual([
      {
        productId: hammer,
        sku: 'HAMMER',
        locationId: pickFace,
        warehouse: 'WH1',
        location: 'A-01-1-01',
        inventoryRow: true,
        onHand: 6,
        ledgerOnHand: 5,
        onHandDrift: 1,
        reserved: 5,
        openReserved: 5,
        reservedDrift: 0,
      },
    ]);

    const table = await runCli([]);
    expect(table.code).toBe(1);
    expect(table.lines[0]).toBe('drift in 1 of 3 places:');
    expect(table.lines[1]).toMatch(/^ +sku +product +warehouse +location +on_hand +ledger +diff +reserved +open_resv +diff$/);
    expect(table.lines[2]!.trim().split(/ +/)).toEqual(['HAMMER', String(hammer), 'WH1', 'A-01-1-01', '6', '5', '+1', '5', '5', '0']);

    const json = await runCli(['--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.lines.join('\n'))).toEqual(report);
  });

  it('reports reserved drift and broken invariants', async () => {
    // Constraints stop the service from writing impossible stock; take them off
    // this test database to show the reconciliation does not rely on them.
    await stack.db.$executeRawUnsafe('ALTER TABLE inventory DROP CONSTRAINT inventory_reserved_within_on_hand, DROP CONSTRAINT inventory_on_hand_non_negative');
    await stack.db.$executeRaw`UPDATE inventory SET quantity_on_hand = 4 WHERE product_id = ${hammer} AND location_id = ${pickFace}`;
    const saw = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'SAW' } })).productId;
    await stack.db.$executeRaw`UPDATE inventory SET quantity_on_hand = -1 WHERE product_id = ${saw}`;
    // Reserved drift: inventory says 2 held at the bulk location, the reservation holds 3.
    const bulk = (await stack.db.location.findFirstOrThrow({ where: { aisle: 'B', warehouse: { code: 'WH1' } } })).locationId;
    await stack.db.$executeRaw`UPDATE inventory SET quantity_reserved = quantity_reserved - 1 WHERE product_id = ${hammer} AND location_id = ${bulk}`;
    // A row the ledger knows nothing about.
    const overflow = (await stack.db.location.findFirstOrThrow({ where: { aisle: 'Z', warehouse: { code: 'WH1' } } })).locationId;
    await stack.db.$executeRaw`INSERT INTO inventory (product_id, location_id, quantity_on_hand) VALUES (${saw}, ${overflow}, 7)`;

    const report = await reconcile(stack.db);
    expect(report.drift.map((d) => [d.sku, d.location, d.onHandDrift, d.reservedDrift])).toEqual([
      ['HAMMER', 'A-01-1-01', -1, 0],
      ['HAMMER', 'B-01-1-01', 0, -1],
      ['SAW', 'A-01-1-02', -4, 0],
      ['SAW', 'Z-01-1-01', 7, 0],
    ]);
    expect(report.violations.map((v) => [v.check, v.sku, v.location, v.detail])).toEqual([
      ['RESERVED_EXCEEDS_ON_HAND', 'HAMMER', 'A-01-1-01', 'reserved 5 > on hand 4'],
      ['NEGATIVE_STOCK', 'SAW', 'A-01-1-02', 'on hand -1'],
      ['NON_ZERO_WITHOUT_LEDGER', 'SAW', 'Z-01-1-01', 'on hand 7, reserved 0 with no ledger row'],
    ]);
    const { code, lines } = await runCli([]);
    expect(code).toBe(1);
    expect(lines).toContain('3 invariant violation(s):');
  });

  it('a wrong call is a usage error (exit 2 through the CLI)', async () => {
    await expect(runCli(['--bogus'])).rejects.toThrow(/Unknown option/);
  });
});
