import { planSourcing, warehousesOf, type SourcingLineInput } from '../../../src/domain/sourcing';
import type { StockAtLocation } from '../../../src/domain/pick-sequence';

const product = (productId: number, allowBackorder = false, isActive = true) => ({ productId, sku: `P${productId}`, isActive, allowBackorder });
const line = (p: ReturnType<typeof product>, quantity: number): SourcingLineInput => ({ productId: p.productId, sku: null, quantity, product: p });
const slot = (locationId: number, onHand: number, reserved = 0, locationType: StockAtLocation['locationType'] = 'PICK_FACE'): StockAtLocation => ({
  locationId,
  locationType,
  onHand,
  reserved,
});
/** warehouseId -> productId -> slots */
const stock = (entries: Record<number, Record<number, StockAtLocation[]>>) =>
  new Map(Object.entries(entries).map(([w, byProduct]) => [Number(w), new Map(Object.entries(byProduct).map(([p, slots]) => [Number(p), slots]))]));

const A = product(1);
const B = product(2);
const BACK = product(3, true);

describe('planSourcing: split', () => {
  it('prefers one warehouse covering everything (v1 rule) over a split', () => {
    const plan = planSourcing([line(A, 2)], stock({ 1: { 1: [slot(11, 1)] }, 2: { 1: [slot(21, 2)] } }), [1, 2], { split: true, backorder: false });
    expect(plan).toEqual({
      ok: true,
      backorderWarehouseId: null,
      lines: [{ productId: 1, sku: 'P1', quantity: 2, backordered: 0, allocations: [{ warehouseId: 2, locationId: 21, quantity: 2 }] }],
    });
  });

  it('splits over two warehouses, the one covering most units first, v1 location order inside', () => {
    // A x5, B x2. WH1: A 3 (bulk 13) + A 1 (pick face 12), B 0. WH2: A 1, B 2. WH1 covers 4 units, WH2 3.
    const plan = planSourcing(
      [line(A, 5), line(B, 2)],
      stock({ 1: { 1: [slot(13, 3, 0, 'BULK'), slot(12, 1)] }, 2: { 1: [slot(21, 1)], 2: [slot(22, 2)] } }),
      [1, 2],
      { split: true, backorder: false },
    );
    expect(plan.ok && plan.lines).toEqual([
      {
        productId: 1,
        sku: 'P1',
        quantity: 5,
        backordered: 0,
        allocations: [
          { warehouseId: 1, locationId: 12, quantity: 1 },
          { warehouseId: 1, locationId: 13, quantity: 3 },
          { warehouseId: 2, locationId: 21, quantity: 1 },
        ],
      },
      { productId: 2, sku: 'P2', quantity: 2, backordered: 0, allocations: [{ warehouseId: 2, locationId: 22, quantity: 2 }] },
    ]);
    expect(warehousesOf(plan.ok ? plan.lines : [], null)).toEqual({ warehouseId: 1, warehouseIds: [1, 2] });
  });

  it('without SPLIT, the same order is InsufficientStock against the warehouse covering most lines', () => {
    const plan = planSourcing([line(A, 5)], stock({ 1: { 1: [slot(11, 3)] }, 2: { 1: [slot(21, 2)] } }), [1, 2], { split: false, backorder: false });
    expect(plan).toEqual({ ok: false, warehouseId: 1, shortLines: [{ productId: 1, sku: 'P1', requested: 5, available: 3, reason: 'INSUFFICIENT_STOCK' }] });
  });

  it('InsufficientStock names a warehouse that stocks the products, as v1 does', () => {
    const plan = planSourcing([line(A, 5)], stock({ 2: { 1: [slot(21, 2)] } }), [1, 2], { split: true, backorder: false });
    expect(plan).toEqual({ ok: false, warehouseId: 2, shortLines: [{ productId: 1, sku: 'P1', requested: 5, available: 2, reason: 'INSUFFICIENT_STOCK' }] });
  });

  it('all or nothing: a split that cannot cover every line reserves nothing', () => {
    const plan = planSourcing(
      [line(A, 2), line(B, 9)],
      stock({ 1: { 1: [slot(11, 1)], 2: [slot(12, 4)] }, 2: { 1: [slot(21, 1)], 2: [slot(22, 4)] } }),
      [1, 2],
      { split: true, backorder: false },
    );
    expect(plan.ok).toBe(false);
  });
});

describe('planSourcing: backorders', () => {
  it('reserves what there is and backorders the rest of a backorderable line', () => {
    const plan = planSourcing([line(BACK, 5), line(A, 1)], stock({ 1: { 3: [slot(11, 2)], 1: [slot(12, 1)] } }), [1], {
      warehouseId: 1,
      split: false,
      backorder: true,
    });
    expect(plan).toEqual({
      ok: true,
      backorderWarehouseId: 1,
      lines: [
        { productId: 3, sku: 'P3', quantity: 5, backordered: 3, allocations: [{ warehouseId: 1, locationId: 11, quantity: 2 }] },
        { productId: 1, sku: 'P1', quantity: 1, backordered: 0, allocations: [{ warehouseId: 1, locationId: 12, quantity: 1 }] },
      ],
    });
  });

  it('a line of a product without allowBackorder is still all or nothing', () => {
    const plan = planSourcing([line(BACK, 5), line(A, 2)], stock({ 1: { 3: [slot(11, 2)], 1: [slot(12, 1)] } }), [1], {
      warehouseId: 1,
      split: false,
      backorder: true,
    });
    expect(plan).toEqual({ ok: false, warehouseId: 1, shortLines: [{ productId: 1, sku: 'P1', requested: 2, available: 1, reason: 'INSUFFICIENT_STOCK' }] });
  });

  it('backorder NEVER on a backorderable product behaves as v1', () => {
    const plan = planSourcing([line(BACK, 5)], stock({ 1: { 3: [slot(11, 2)] } }), [1], { warehouseId: 1, split: false, backorder: false });
    expect(plan.ok).toBe(false);
  });

  it('wholly backordered: empty allocations, in the lowest-id warehouse when none has any', () => {
    const plan = planSourcing([line(BACK, 4)], stock({}), [2, 5], { split: false, backorder: true });
    expect(plan).toEqual({ ok: true, backorderWarehouseId: 2, lines: [{ productId: 3, sku: 'P3', quantity: 4, backordered: 4, allocations: [] }] });
    expect(warehousesOf(plan.ok ? plan.lines : [], 2)).toEqual({ warehouseId: 2, warehouseIds: [2] });
  });

  it('without a warehouse: the one covering the firm lines and the most backorderable units', () => {
    // A x1 firm: WH1 and WH2 have it. BACK x5: WH1 has 1, WH2 has 3, WH3 has 5 but no A.
    const plan = planSourcing(
      [line(A, 1), line(BACK, 5)],
      stock({ 1: { 1: [slot(11, 1)], 3: [slot(12, 1)] }, 2: { 1: [slot(21, 1)], 3: [slot(22, 3)] }, 3: { 3: [slot(31, 5)] } }),
      [1, 2, 3],
      { split: false, backorder: true },
    );
    expect(plan.ok && plan.backorderWarehouseId).toBe(2);
    expect(plan.ok && plan.lines.map((l) => [l.productId, l.backordered])).toEqual([
      [1, 0],
      [3, 2],
    ]);
  });

  it('SPLIT with ALLOW splits from stock when a split covers, backorders in one warehouse only when none does', () => {
    const split = planSourcing([line(BACK, 4)], stock({ 1: { 3: [slot(11, 2)] }, 2: { 3: [slot(21, 2)] } }), [1, 2], { split: true, backorder: true });
    expect(split.ok && split.lines[0]!.allocations.map((a) => a.warehouseId)).toEqual([1, 2]);
    const backordered = planSourcing([line(BACK, 9)], stock({ 1: { 3: [slot(11, 2)] }, 2: { 3: [slot(21, 3)] } }), [1, 2], { split: true, backorder: true });
    expect(backordered.ok && backordered.backorderWarehouseId).toBe(2);
    expect(backordered.ok && backordered.lines[0]).toEqual({
      productId: 3,
      sku: 'P3',
      quantity: 9,
      backordered: 6,
      allocations: [{ warehouseId: 2, locationId: 21, quantity: 3 }],
    });
  });
});
