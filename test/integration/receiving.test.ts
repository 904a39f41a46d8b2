import { Partitioners } from 'kafkajs';
import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { eventsCausedBy, locationIdOf, processedOutcome, receiptOutcomeOf } from '../support/receiving-helpers';
import { smallCatalog } from '../fixtures/catalog';
import { createPurchaseOrder } from '../fixtures/purchase-orders';
import type { ImportFileInput } from '../../src/master-data/import-schema';
import { lockStorageLocations } from '../../src/db/locations';
import { applyStockChanges } from '../../src/db/inventory';
import { appendLedger } from '../../src/db/ledger';
import { waitForLockWaiter } from '../support/lock-waits';

type Warehouse = NonNullable<ImportFileInput['warehouses']>[number];

/**
 * WH-SPLIT: three small locations, so one receipt must split by weight and by
 * volume (products are 500 g and 1000 cm3 unless said otherwise):
 *  S-01-1-01 pick face, 1 kg          -> 2 units by weight
 *  S-01-1-02 bulk, 3.5 kg, holds 2 BOX of 1 kg -> 3 units by weight
 *  S-01-1-03 overflow, 4000 cm3       -> 4 units by volume
 * WH-TIGHT: one location with room for 5 units, for two receipts racing for it.
 */
const splitWarehouse: Warehouse = {
  code: 'WH-SPLIT',
  name: 'Split test warehouse',
  timezone: 'Europe/Berlin',
  locations: [
    { aisle: 'S', bay: '01', level: '1', bin: '01', type: 'PICK_FACE', maxWeightKg: 1, maxVolumeCubicCm: 1_000_000 },
    { aisle: 'S', bay: '01', level: '1', bin: '02', type: 'BULK', maxWeightKg: 3.5, maxVolumeCubicCm: 1_000_000 },
    { aisle: 'S', bay: '01', level: '1', bin: '03', type: 'OVERFLOW', maxWeightKg: 1000, maxVolumeCubicCm: 4000 },
  ],
};
const tightWarehouse: Warehouse = {
  code: 'WH-TIGHT',
  name: 'Tight test warehouse',
  timezone: 'Europe/Berlin',
  locations: [{ aisle: 'T', bay: '01', level: '1', bin: '01', type: 'BULK', maxWeightKg: 2.5, maxVolumeCubicCm: 1_000_000 }],
};

function catalog(): ImportFileInput {
  const file = smallCatalog(
    [
      { sku: 'HAMMER', location: 'B-01-1-01', quantity: 20 },
      { sku: 'BOX', warehouse: 'WH-SPLIT', location: 'S-01-1-02', quantity: 2 },
    ],
    [...['SAW', 'DRILL', 'TAPE', 'CHISEL', 'CLAMP', 'LEVEL', 'PLANE', 'WIDGET', 'PALLET'].map((sku) => ({ sku })), { sku: 'BOX', unitWeightGrams: 1000 }],
  );
  return { ...file, warehouses: [...(file.warehouses ?? []), splitWarehouse, tightWarehouse] };
}

const receipt = (poId: number, receiptId: string, lines: { sku: string; quantity: number; locationId?: number }[], receivedBy?: string) => ({
  eventType: 'GoodsReceived',
  payload: { poId, receiptId, lines, receivedBy },
});

describe('GoodsReceived through Kafka', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(catalog());
    await stack.startService();
  });

  afterAll(() => stack.stop());

  afterEach(async () => {
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  async function receive(poId: number, receiptId: string, lines: { sku: string; quantity: number; locationId?: number }[], receivedBy?: string) {
    const [eventId] = await stack.publish('goods-receipts', String(poId), [receipt(poId, receiptId, lines, receivedBy)]);
    return eventId!;
  }

  const poLines = (poId: number) =>
    stack.db.purchaseOrderLine.findMany({ where: { poId }, orderBy: { poLineId: 'asc' }, select: { quantityOrdered: true, quantityReceived: true } });
  const poStatus = async (poId: number) => (await stack.db.purchaseOrder.findUniqueOrThrow({ where: { poId } })).status;

  it('a CONFIRMED PO goes PARTIAL, then RECEIVED, with GoodsReceiptRecorded and PurchaseOrderStatusChanged each time', async () => {
    const poId = await createPurchaseOrder(stack.db, {
      status: 'CONFIRMED',
      lines: [
        { sku: 'HAMMER', quantity: 10 },
        { sku: 'SAW', quantity: 5 },
      ],
    });
    const hammerBulk = await locationIdOf(stack.db, 'WH1', 'B-01-1-01');
    const emptyPickFace = await locationIdOf(stack.db, 'WH1', 'A-01-1-01');

    const first = await receive(poId, 'R-100-1', [{ sku: 'HAMMER', quantity: 4 }], 'dock-7');
    const partial = await eventsCausedBy(stack, first, 2);
    expect(partial.GoodsReceiptRecorded!.key).toBe(String(poId));
    expect(partial.GoodsReceiptRecorded!.envelope.payload).toEqual({
      poId,
      receiptId: 'R-100-1',
      poStatus: 'PARTIAL',
      // Consolidated with the HAMMER already in bulk.
      lines: [{ productId: expect.any(Number), sku: 'HAMMER', quantity: 4, locationId: hammerBulk }],
    });
    expect(partial.PurchaseOrderStatusChanged!.key).toBe(String(poId));
    expect(partial.PurchaseOrderStatusChanged!.topic).toMatch(/purchase-orders$/);
    expect(partial.PurchaseOrderStatusChanged!.envelope.payload).toEqual({ poId, status: 'PARTIAL', previousStatus: 'CONFIRMED' });
    expect(await poLines(poId)).toEqual([
      { quantityOrdered: 10, quantityReceived: 4 },
      { quantityOrdered: 5, quantityReceived: 0 },
    ]);
    const ledger = await stack.db.inventoryTransaction.findMany({ where: { eventId: first } });
    expect(ledger.map((l) => [l.txnType, l.locationId, l.quantity, l.referenceType, l.referenceId, l.performedBy])).toEqual([
      ['RECEIVE', hammerBulk, 4, 'PURCHASE_ORDER', String(poId), 'dock-7'],
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);

    const second = await receive(poId, 'R-100-2', [
      { sku: 'HAMMER', quantity: 6 },
      { sku: 'SAW', quantity: 5 },
    ]);
    const received = await eventsCausedBy(stack, second, 2);
    expect(received.GoodsReceiptRecorded!.envelope.payload).toEqual({
      poId,
      receiptId: 'R-100-2',
      poStatus: 'RECEIVED',
      lines: [
        { productId: expect.any(Number), sku: 'HAMMER', quantity: 6, locationId: hammerBulk },
        // Nothing holds SAW: the first empty pick face.
        { productId: expect.any(Number), sku: 'SAW', quantity: 5, locationId: emptyPickFace },
      ],
    });
    expect(received.PurchaseOrderStatusChanged!.envelope.payload).toEqual({ poId, status: 'RECEIVED', previousStatus: 'PARTIAL' });
    expect(await poStatus(poId)).toBe('RECEIVED');
    expect(await inventoryOf(stack.db, 'HAMMER')).toEqual([{ location: 'B-01-1-01', onHand: 30, reserved: 0, available: 30 }]);
    expect(await stack.db.goodsReceipt.count({ where: { poId } })).toBe(2);
  });

  it('a receipt on a DRAFT PO is rejected and applies nothing; the same receiptId is accepted once the PO is confirmed', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'DRAFT', lines: [{ sku: 'CLAMP', quantity: 5 }] });
    const rejected = await receiptOutcomeOf(stack, await receive(poId, 'R-CLAMP', [{ sku: 'CLAMP', quantity: 5 }]));
    expect(rejected.envelope.eventType).toBe('GoodsReceiptRejected');
    expect(rejected.key).toBe(String(poId));
    expect(rejected.envelope.payload).toEqual({ poId, receiptId: 'R-CLAMP', reason: 'INVALID_PO_STATUS', detail: expect.stringContaining('DRAFT') });
    expect(await inventoryOf(stack.db, 'CLAMP')).toEqual([]);
    expect(await stack.db.goodsReceipt.count({ where: { receiptId: 'R-CLAMP' } })).toBe(0);

    // A rejected receipt did not consume its receiptId: the dock resends it after procurement confirms.
    await stack.db.purchaseOrder.update({ where: { poId }, data: { status: 'CONFIRMED' } });
    const accepted = await receiptOutcomeOf(stack, await receive(poId, 'R-CLAMP', [{ sku: 'CLAMP', quantity: 5 }]));
    expect(accepted.envelope.eventType).toBe('GoodsReceiptRecorded');
    expect(accepted.envelope.payload.poStatus).toBe('RECEIVED');
  });

  it('a receipt for a PO that does not exist is rejected as UNKNOWN_PO, keyed by the poId', async () => {
    const rejected = await receiptOutcomeOf(stack, await receive(987_654, 'R-GHOST', [{ sku: 'HAMMER', quantity: 1 }]));
    expect(rejected.key).toBe('987654');
    expect(rejected.envelope.payload).toEqual({ poId: 987_654, receiptId: 'R-GHOST', reason: 'UNKNOWN_PO', detail: 'purchase order 987654 does not exist' });
  });

  it('more than ordered is rejected as OVER_RECEIPT without tolerance', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'CONFIRMED', lines: [{ sku: 'DRILL', quantity: 10 }] });
    const rejected = await receiptOutcomeOf(
      stack,
      await receive(poId, 'R-DRILL', [
        { sku: 'DRILL', quantity: 6 },
        { sku: 'DRILL', quantity: 5 },
      ]),
    );
    expect(rejected.envelope.payload).toMatchObject({
      reason: 'OVER_RECEIPT',
      detail: expect.stringContaining('receiving 11 exceeds the 10 still receivable'),
    });
    expect(await poLines(poId)).toEqual([{ quantityOrdered: 10, quantityReceived: 0 }]);
    expect(await poStatus(poId)).toBe('CONFIRMED');
    expect(await inventoryOf(stack.db, 'DRILL')).toEqual([]);
  });

  it('a receiptId already applied changes and publishes nothing, even under a new eventId and other quantities', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'CONFIRMED', lines: [{ sku: 'TAPE', quantity: 10 }] });
    expect((await receiptOutcomeOf(stack, await receive(poId, 'R-TAPE', [{ sku: 'TAPE', quantity: 4 }]))).envelope.eventType).toBe('GoodsReceiptRecorded');

    const again = await receive(poId, 'R-TAPE', [{ sku: 'TAPE', quantity: 3 }]);
    expect(await processedOutcome(stack.db, again)).toBe('DUPLICATE_RECEIPT');
    // Nothing staged in the outbox for it, so nothing can ever be published for it.
    expect(await stack.db.outboxEvent.count({ where: { envelope: { path: ['causationId'], equals: again } } })).toBe(0);
    expect(await poLines(poId)).toEqual([{ quantityOrdered: 10, quantityReceived: 4 }]);
    expect(await inventoryOf(stack.db, 'TAPE')).toEqual([expect.objectContaining({ onHand: 4 })]);
  });

  it('a product not on the PO, or not known at all, is rejected as PRODUCT_NOT_ON_PO and nothing is booked', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'CONFIRMED', lines: [{ sku: 'CHISEL', quantity: 5 }] });
    const stranger = await receiptOutcomeOf(
      stack,
      await receive(poId, 'R-CHISEL-1', [
        { sku: 'CHISEL', quantity: 1 },
        { sku: 'HAMMER', quantity: 2 },
      ]),
    );
    expect(stranger.envelope.payload).toMatchObject({
      reason: 'PRODUCT_NOT_ON_PO',
      detail: expect.stringMatching(/^product \d+ is not on the purchase order$/),
    });
    const unknown = await receiptOutcomeOf(stack, await receive(poId, 'R-CHISEL-2', [{ sku: 'NO-SUCH-SKU', quantity: 1 }]));
    expect(unknown.envelope.payload).toMatchObject({ reason: 'PRODUCT_NOT_ON_PO', detail: 'sku NO-SUCH-SKU is not on the purchase order' });
    expect(await inventoryOf(stack.db, 'CHISEL')).toEqual([]);
    expect(await poLines(poId)).toEqual([{ quantityOrdered: 5, quantityReceived: 0 }]);
  });

  it('honours a named location of the PO warehouse, and puts away by suggestion when the named one is in another warehouse', async () => {
    const poId = await createPurchaseOrder(stack.db, {
      status: 'CONFIRMED',
      lines: [
        { sku: 'LEVEL', quantity: 3 },
        { sku: 'PLANE', quantity: 2 },
      ],
    });
    const overflow = await locationIdOf(stack.db, 'WH1', 'Z-01-1-01');
    const otherWarehouse = await locationIdOf(stack.db, 'WH2', 'A-01-1-01');
    const recorded = await receiptOutcomeOf(
      stack,
      await receive(poId, 'R-LEVEL', [
        { sku: 'LEVEL', quantity: 3, locationId: overflow },
        { sku: 'PLANE', quantity: 2, locationId: otherWarehouse },
      ]),
    );
    const lines = recorded.envelope.payload.lines as { sku: string; locationId: number }[];
    // Overflow is the last place put-away would pick: only the sender's choice puts LEVEL there.
    expect(lines.find((l) => l.sku === 'LEVEL')!.locationId).toBe(overflow);
    const plane = await stack.db.location.findUniqueOrThrow({
      where: { locationId: lines.find((l) => l.sku === 'PLANE')!.locationId },
      include: { warehouse: true },
    });
    expect(plane.warehouse.code).toBe('WH1');
    expect(await inventoryOf(stack.db, 'LEVEL')).toEqual([{ location: 'Z-01-1-01', onHand: 3, reserved: 0, available: 3 }]);
  });

  it('splits one line across locations by weight and volume, counting what a location already holds', async () => {
    const poId = await createPurchaseOrder(stack.db, { warehouseCode: 'WH-SPLIT', status: 'CONFIRMED', lines: [{ sku: 'WIDGET', quantity: 20 }] });
    const [s1, s2, s3] = await Promise.all(['S-01-1-01', 'S-01-1-02', 'S-01-1-03'].map((name) => locationIdOf(stack.db, 'WH-SPLIT', name)));
    const recorded = await receiptOutcomeOf(stack, await receive(poId, 'R-WIDGET-1', [{ sku: 'WIDGET', quantity: 9 }]));
    expect(recorded.envelope.payload.lines).toEqual([
      // Empty locations first, pick face before overflow; the bulk location holding BOX last.
      { productId: expect.any(Number), sku: 'WIDGET', quantity: 2, locationId: s1 },
      { productId: expect.any(Number), sku: 'WIDGET', quantity: 4, locationId: s3 },
      { productId: expect.any(Number), sku: 'WIDGET', quantity: 3, locationId: s2 },
    ]);
    expect(await inventoryOf(stack.db, 'WIDGET')).toEqual([
      { location: 'S-01-1-01', onHand: 2, reserved: 0, available: 2 },
      { location: 'S-01-1-02', onHand: 3, reserved: 0, available: 3 },
      { location: 'S-01-1-03', onHand: 4, reserved: 0, available: 4 },
    ]);
  });

  it('with no room left anywhere the receipt is rejected as NO_PUTAWAY_CAPACITY and nothing is applied', async () => {
    const po = await stack.db.purchaseOrder.findFirstOrThrow({ where: { warehouse: { code: 'WH-SPLIT' } } });
    const before = await inventoryOf(stack.db, 'WIDGET');
    const rejected = await receiptOutcomeOf(stack, await receive(po.poId, 'R-WIDGET-2', [{ sku: 'WIDGET', quantity: 1 }]));
    expect(rejected.envelope.payload).toEqual({
      poId: po.poId,
      receiptId: 'R-WIDGET-2',
      reason: 'NO_PUTAWAY_CAPACITY',
      detail: 'WIDGET: room for 0 of 1 unit(s) in the warehouse',
    });
    expect(await inventoryOf(stack.db, 'WIDGET')).toEqual(before);
    expect(await poLines(po.poId)).toEqual([{ quantityOrdered: 20, quantityReceived: 9 }]);
    expect(await poStatus(po.poId)).toBe('PARTIAL');
    expect(await stack.db.goodsReceipt.count({ where: { receiptId: 'R-WIDGET-2' } })).toBe(0);
  });

  it('two receipts racing for the last space: one is put away, the other rejected', async () => {
    // Two POs whose keys land on different partitions, so the service may apply them at
    // the same moment (whether they really overlap is up to timing: the lockStorageLocations
    // test below pins the locking itself). Either way only one may get the space.
    const partitionOf = Partitioners.DefaultPartitioner();
    const meta = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0 }));
    const partition = (poId: number) => partitionOf({ topic: 'goods-receipts', partitionMetadata: meta as never, message: { key: String(poId), value: null } });
    const poIds: number[] = [];
    while (poIds.length < 2) {
      const poId = await createPurchaseOrder(stack.db, { warehouseCode: 'WH-TIGHT', status: 'CONFIRMED', lines: [{ sku: 'PALLET', quantity: 5 }] });
      if (poIds.every((other) => partition(other) !== partition(poId))) poIds.push(poId);
    }
    const eventIds = await Promise.all(poIds.map((poId) => receive(poId, `R-PALLET-${poId}`, [{ sku: 'PALLET', quantity: 5 }])));
    const outcomes = await Promise.all(eventIds.map(async (eventId) => (await receiptOutcomeOf(stack, eventId)).envelope.eventType));
    expect(outcomes.sort()).toEqual(['GoodsReceiptRecorded', 'GoodsReceiptRejected']);
    expect(await inventoryOf(stack.db, 'PALLET')).toEqual([{ location: 'T-01-1-01', onHand: 5, reserved: 0, available: 5 }]);
  });
});

describe('lockStorageLocations', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([], [{ sku: 'HAMMER' }]));
  });

  afterAll(() => stack.stop());

  it('makes a second receipt wait for the first one at the same location, then see what the first put there', async () => {
    const warehouseId = (await stack.db.warehouse.findUniqueOrThrow({ where: { code: 'WH1' } })).warehouseId;
    const locationId = await locationIdOf(stack.db, 'WH1', 'A-01-1-01');
    const productId = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'HAMMER' } })).productId;
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));
    let firstCommittedAt = 0;

    const first = stack.db
      .$transaction(async (tx) => {
        await lockStorageLocations(tx, warehouseId, [locationId], [productId]);
        firstLocked();
        await waitForLockWaiter(stack.db); // the second one queues behind this one's locks
        await applyStockChanges(tx, [{ productId, locationId, onHandDelta: 2, reservedDelta: 0 }], new Date());
        await appendLedger(
          tx,
          null,
          [{ productId, locationId, txnType: 'RECEIVE', quantity: 2, referenceType: 'PURCHASE_ORDER', referenceId: 'lock-test' }],
          new Date(),
        );
      })
      .then(() => (firstCommittedAt = Date.now()));
    await locked;
    const second = stack.db.$transaction(async (tx) => {
      const [seen] = await lockStorageLocations(tx, warehouseId, [locationId], [productId]);
      return { seen: seen!, lockedAt: Date.now() };
    });

    const [, { seen, lockedAt }] = await Promise.all([first, second]);
    expect(lockedAt).toBeGreaterThanOrEqual(firstCommittedAt - 50);
    expect(seen).toMatchObject({ usedWeightGrams: 1000, usedVolumeCubicCm: 2000, heldProductIds: [productId], isEmpty: false });
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});

describe('GoodsReceived with RECEIPT_OVER_TOLERANCE_PERCENT=10', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ RECEIPT_OVER_TOLERANCE_PERCENT: '10' });
    await stack.importMasterData(smallCatalog([], [{ sku: 'DRILL' }]));
    await stack.startService();
  });

  afterAll(() => stack.stop());

  it('accepts an over-receipt within the tolerance and closes the PO, refuses one beyond it', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'CONFIRMED', lines: [{ sku: 'DRILL', quantity: 10 }] });
    const [beyond] = await stack.publish('goods-receipts', String(poId), [receipt(poId, 'R-DRILL-12', [{ sku: 'DRILL', quantity: 12 }])]);
    expect((await receiptOutcomeOf(stack, beyond!)).envelope.payload).toMatchObject({
      reason: 'OVER_RECEIPT',
      detail: expect.stringContaining('tolerance 10%'),
    });

    const [within] = await stack.publish('goods-receipts', String(poId), [receipt(poId, 'R-DRILL-11', [{ sku: 'DRILL', quantity: 11 }])]);
    const events = await eventsCausedBy(stack, within!, 2);
    expect(events.GoodsReceiptRecorded!.envelope.payload).toMatchObject({
      poStatus: 'RECEIVED',
      lines: [expect.objectContaining({ sku: 'DRILL', quantity: 11 })],
    });
    expect(events.PurchaseOrderStatusChanged!.envelope.payload).toEqual({ poId, status: 'RECEIVED', previousStatus: 'CONFIRMED' });
    expect(await stack.db.purchaseOrderLine.findFirstOrThrow({ where: { poId } })).toMatchObject({ quantityOrdered: 10, quantityReceived: 11 });
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
