import { chooseSplit, MAX_SPLIT_CANDIDATES } from '../../../src/domain/split';
import type { OrderLineToReserve } from '../../../src/domain/order-lines';

const product = (productId: number, isActive = true) => ({ productId, sku: `P${productId}`, isActive });
const line = (productId: number, quantity: number, isActive = true): OrderLineToReserve => ({
  productId,
  sku: null,
  quantity,
  product: product(productId, isActive),
});
/** warehouseId -> productId -> available */
const available = (entries: Record<number, Record<number, number>>) =>
  new Map(Object.entries(entries).map(([w, byProduct]) => [Number(w), new Map(Object.entries(byProduct).map(([p, n]) => [Number(p), n]))]));

describe('chooseSplit (contract v2 split strategy)', () => {
  it('takes one warehouse when one covers everything (the lowest id of equals: units count up to the order)', () => {
    // WH2 and WH3 both cover all 5 units (WH3's 9 do not count past the order).
    expect(chooseSplit([line(1, 5)], available({ 1: { 1: 2 }, 2: { 1: 5 }, 3: { 1: 9 } }))).toEqual([2]);
  });

  it('fewest warehouses first, even if a larger set has a bigger first warehouse', () => {
    // Order 10 of P1: no single warehouse covers it. Pairs that cover: {1,2} (first WH1, 9 units),
    // {1,3} and {1,4} (first WH1, 9), {3,4} (first WH3, 6). Ties of 9 go to the lowest ids: {1,2}.
    expect(chooseSplit([line(1, 10)], available({ 1: { 1: 9 }, 2: { 1: 1 }, 3: { 1: 6 }, 4: { 1: 4 } }))).toEqual([1, 2]);
  });

  it('among sets of one size, the set whose first warehouse covers the most units', () => {
    // Two lines: P1 x4, P2 x4. WH1: P1 4 (covers 4). WH2: P2 4 (4). WH3: P1 3, P2 3 (6). WH4: P1 1, P2 1 (2).
    // Pairs covering: {1,2} first covers 4; {3,4} first covers 6; {1,3}: P1 7, P2 3 no; {2,3}: P1 3 no.
    expect(chooseSplit([line(1, 4), line(2, 4)], available({ 1: { 1: 4 }, 2: { 2: 4 }, 3: { 1: 3, 2: 3 }, 4: { 1: 1, 2: 1 } }))).toEqual([3, 4]);
  });

  it('then the lowest warehouse ids, and the draw order is most units first', () => {
    // P1 x6. WH1: 2, WH2: 4, WH3: 4. Pairs covering: {1,2} (first covers 4), {1,3} (4), {2,3} (4).
    // All tie on the first warehouse's units; lowest ids: {1,2}, drawn from WH2 (4 units) then WH1.
    expect(chooseSplit([line(1, 6)], available({ 1: { 1: 2 }, 2: { 1: 4 }, 3: { 1: 4 } }))).toEqual([2, 1]);
  });

  it('three warehouses when no two cover', () => {
    expect(chooseSplit([line(1, 3)], available({ 1: { 1: 1 }, 2: { 1: 1 }, 3: { 1: 1 }, 4: { 1: 0 } }))).toEqual([1, 2, 3]);
  });

  it('null when all warehouses together fall short, or a product is inactive or unknown', () => {
    expect(chooseSplit([line(1, 3)], available({ 1: { 1: 1 }, 2: { 1: 1 } }))).toBeNull();
    expect(chooseSplit([line(1, 1, false)], available({ 1: { 1: 5 } }))).toBeNull();
    expect(chooseSplit([{ productId: null, sku: 'NOPE', quantity: 1, product: null }], available({ 1: { 1: 5 } }))).toBeNull();
  });

  it(`searches at most ${MAX_SPLIT_CANDIDATES} warehouses, those covering most`, () => {
    const many: Record<number, Record<number, number>> = {};
    for (let w = 1; w <= 30; w++) many[w] = { 1: w <= 20 ? 1 : 2 };
    // 10 warehouses with 2 units are the candidates first: 5 of them cover 10.
    expect(chooseSplit([line(1, 10)], available(many))).toEqual([21, 22, 23, 24, 25]);
  });
});
