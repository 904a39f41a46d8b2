import { chooseWarehouse, type AvailableByWarehouse, type OrderLineToReserve } from '../../../src/domain/allocation';
import type { ProductRef } from '../../../src/domain/types';

const a: ProductRef = { productId: 1, sku: 'A', isActive: true };
const b: ProductRef = { productId: 2, sku: 'B', isActive: true };
const line = (product: ProductRef | null, quantity: number): OrderLineToReserve => ({
  productId: product?.productId ?? 99,
  sku: product?.sku ?? null,
  quantity,
  product,
});
const available = (entries: [number, [number, number][]][]): AvailableByWarehouse =>
  new Map(entries.map(([warehouseId, products]) => [warehouseId, new Map(products)]));

describe('chooseWarehouse', () => {
  it('picks the only warehouse that covers every line', () => {
    const choice = chooseWarehouse(
      [line(a, 5), line(b, 2)],
      available([
        [1, [[1, 10]]],
        [
          2,
          [
            [1, 5],
            [2, 2],
          ],
        ],
      ]),
    );
    expect(choice).toEqual({ ok: true, warehouseId: 2 });
  });

  it('lowest warehouseId wins a tie, whatever order the map lists them in', () => {
    const choice = chooseWarehouse(
      [line(a, 1)],
      available([
        [7, [[1, 9]]],
        [3, [[1, 1]]],
        [5, [[1, 9]]],
      ]),
    );
    expect(choice).toEqual({ ok: true, warehouseId: 3 });
  });

  it('merges lines before judging coverage', () => {
    const choice = chooseWarehouse(
      [line(a, 3), line(a, 3)],
      available([
        [1, [[1, 5]]],
        [2, [[1, 6]]],
      ]),
    );
    expect(choice).toEqual({ ok: true, warehouseId: 2 });
  });

  it('never splits: two warehouses that together cover the order do not count', () => {
    const choice = chooseWarehouse(
      [line(a, 1), line(b, 1)],
      available([
        [1, [[1, 1]]],
        [2, [[2, 1]]],
      ]),
    );
    expect(choice.ok).toBe(false);
  });

  it('when none covers the order, reports against the one covering most lines', () => {
    const choice = chooseWarehouse(
      [line(a, 5), line(b, 5), line(null, 1)],
      available([
        [1, [[1, 5]]],
        [
          2,
          [
            [1, 5],
            [2, 5],
          ],
        ],
        [
          3,
          [
            [1, 4],
            [2, 4],
          ],
        ],
      ]),
    );
    expect(choice).toEqual({ ok: false, reason: 'NO_WAREHOUSE_COVERS_ORDER', warehouseId: 2 });
  });

  it('breaks a tie on lines covered by lowest warehouseId', () => {
    const choice = chooseWarehouse(
      [line(a, 5), line(b, 5)],
      available([
        [4, [[2, 5]]],
        [2, [[1, 5]]],
      ]),
    );
    expect(choice).toEqual({ ok: false, reason: 'NO_WAREHOUSE_COVERS_ORDER', warehouseId: 2 });
  });

  it('never counts an inactive product as coverable', () => {
    const inactive = { ...a, isActive: false };
    const choice = chooseWarehouse(
      [line(inactive, 1), line(b, 1)],
      available([
        [1, [[2, 1]]],
        [
          2,
          [
            [1, 100],
            [2, 1],
          ],
        ],
      ]),
    );
    // Were the inactive line coverable, warehouse 2 would cover everything.
    expect(choice).toEqual({ ok: false, reason: 'NO_WAREHOUSE_COVERS_ORDER', warehouseId: 1 });
  });

  it('reports a null warehouse only when there are no warehouses', () => {
    expect(chooseWarehouse([line(a, 1)], new Map())).toEqual({ ok: false, reason: 'NO_WAREHOUSE_COVERS_ORDER', warehouseId: null });
  });
});
