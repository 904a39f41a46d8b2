import { allocateReservation, type OrderLineToReserve, type StockByProduct } from '../../../src/domain/allocation';
import type { StockAtLocation } from '../../../src/domain/pick-sequence';
import type { ProductRef } from '../../../src/domain/types';

const hammer: ProductRef = { productId: 1, sku: 'HAMMER', isActive: true };
const saw: ProductRef = { productId: 2, sku: 'SAW', isActive: true };
const retired: ProductRef = { productId: 3, sku: 'OLD', isActive: false };

const line = (product: ProductRef, quantity: number, by: 'id' | 'sku' = 'id'): OrderLineToReserve => ({
  productId: by === 'id' ? product.productId : null,
  sku: by === 'sku' ? product.sku : null,
  quantity,
  product,
});

const slot = (locationId: number, locationType: StockAtLocation['locationType'], onHand: number, reserved = 0): StockAtLocation => ({
  locationId,
  locationType,
  onHand,
  reserved,
});

const stock = (entries: [number, StockAtLocation[]][]): StockByProduct => new Map(entries);

describe('allocateReservation', () => {
  it('reserves from the pick face before bulk before overflow', () => {
    const result = allocateReservation([line(hammer, 12)], stock([[1, [slot(30, 'OVERFLOW', 100), slot(20, 'BULK', 6), slot(10, 'PICK_FACE', 5)]]]));
    expect(result).toEqual({
      ok: true,
      lines: [
        {
          productId: 1,
          sku: 'HAMMER',
          quantity: 12,
          allocations: [
            { locationId: 10, quantity: 5 },
            { locationId: 20, quantity: 6 },
            { locationId: 30, quantity: 1 },
          ],
        },
      ],
    });
  });

  it('takes only what is unreserved and prefers the fullest location, avoiding a split', () => {
    const result = allocateReservation([line(hammer, 8)], stock([[1, [slot(11, 'BULK', 10, 4), slot(12, 'BULK', 9)]]]));
    expect(result.ok && result.lines[0]?.allocations).toEqual([{ locationId: 12, quantity: 8 }]);
  });

  it('breaks ties between equally full locations by lowest locationId', () => {
    const result = allocateReservation([line(hammer, 3)], stock([[1, [slot(8, 'BULK', 5), slot(4, 'BULK', 5)]]]));
    expect(result.ok && result.lines[0]?.allocations).toEqual([{ locationId: 4, quantity: 3 }]);
  });

  it('merges two lines for one product, even if named once by id and once by sku', () => {
    const result = allocateReservation(
      [line(hammer, 4, 'id'), line(saw, 1), line(hammer, 3, 'sku')],
      stock([
        [1, [slot(10, 'PICK_FACE', 7)]],
        [2, [slot(20, 'PICK_FACE', 1)]],
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.lines.map((l) => [l.productId, l.quantity])).toEqual([
      [1, 7],
      [2, 1],
    ]);
  });

  it('fails a merged line that only fits as separate lines (they would both claim the same units)', () => {
    const result = allocateReservation([line(hammer, 4), line(hammer, 4)], stock([[1, [slot(10, 'PICK_FACE', 6)]]]));
    expect(result).toEqual({
      ok: false,
      shortLines: [{ productId: 1, sku: 'HAMMER', requested: 8, available: 6, reason: 'INSUFFICIENT_STOCK' }],
    });
  });

  it('is all or nothing and lists only the lines that could not be reserved', () => {
    const result = allocateReservation(
      [line(hammer, 2), line(saw, 5)],
      stock([
        [1, [slot(10, 'PICK_FACE', 50)]],
        [2, [slot(20, 'PICK_FACE', 2, 1), slot(21, 'BULK', 3)]],
      ]),
    );
    expect(result).toEqual({
      ok: false,
      shortLines: [{ productId: 2, sku: 'SAW', requested: 5, available: 4, reason: 'INSUFFICIENT_STOCK' }],
    });
  });

  it('reports an unknown product as requested, with nothing available', () => {
    const result = allocateReservation(
      [
        { productId: null, sku: 'GHOST', quantity: 1, product: null },
        { productId: 404, sku: null, quantity: 2, product: null },
      ],
      stock([]),
    );
    expect(result).toEqual({
      ok: false,
      shortLines: [
        { productId: null, sku: 'GHOST', requested: 1, available: 0, reason: 'UNKNOWN_PRODUCT' },
        { productId: 404, sku: null, requested: 2, available: 0, reason: 'UNKNOWN_PRODUCT' },
      ],
    });
  });

  it('refuses an inactive product even with stock, reporting that stock', () => {
    const result = allocateReservation([line(retired, 1, 'sku')], stock([[3, [slot(30, 'BULK', 10, 2)]]]));
    expect(result).toEqual({
      ok: false,
      shortLines: [{ productId: 3, sku: 'OLD', requested: 1, available: 8, reason: 'INACTIVE_PRODUCT' }],
    });
  });

  it('treats a product with no inventory rows as having nothing available', () => {
    const result = allocateReservation([line(saw, 1)], stock([]));
    expect(result.ok === false && result.shortLines[0]).toEqual({
      productId: 2,
      sku: 'SAW',
      requested: 1,
      available: 0,
      reason: 'INSUFFICIENT_STOCK',
    });
  });

  it('reserves a line that takes exactly everything available', () => {
    const result = allocateReservation([line(saw, 5)], stock([[2, [slot(20, 'PICK_FACE', 2), slot(21, 'BULK', 3)]]]));
    expect(result.ok && result.lines[0]?.allocations).toEqual([
      { locationId: 20, quantity: 2 },
      { locationId: 21, quantity: 3 },
    ]);
  });
});
