import { fillBackorders } from '../../../src/domain/backorder-fill';
import { orderQuantity, decideReorderPointReplenishment } from '../../../src/domain/replenishment';

const slot = (locationId: number, onHand: number, reserved = 0) => ({ locationId, locationType: 'PICK_FACE' as const, onHand, reserved });
const bo = (backorderId: number, openQuantity: number) => ({ backorderId, orderId: `o-${backorderId}`, productId: 7, openQuantity });

describe('fillBackorders', () => {
  it('fills oldest first; a partly filled one keeps the rest backordered; younger ones wait', () => {
    expect(fillBackorders([bo(9, 2), bo(3, 4)], [slot(1, 3), slot(2, 2, 0)])).toEqual([
      {
        backorderId: 3,
        orderId: 'o-3',
        productId: 7,
        quantity: 4,
        allocations: [
          { locationId: 1, quantity: 3 },
          { locationId: 2, quantity: 1 },
        ],
        stillBackordered: 0,
      },
      { backorderId: 9, orderId: 'o-9', productId: 7, quantity: 1, allocations: [{ locationId: 2, quantity: 1 }], stillBackordered: 1 },
    ]);
  });

  it('takes only what is available (on hand - reserved), and nothing when there is none', () => {
    expect(fillBackorders([bo(1, 5)], [slot(1, 4, 3)])).toEqual([
      { backorderId: 1, orderId: 'o-1', productId: 7, quantity: 1, allocations: [{ locationId: 1, quantity: 1 }], stillBackordered: 4 },
    ]);
    expect(fillBackorders([bo(1, 5)], [slot(1, 4, 4)])).toEqual([]);
  });

  it('leaves stock available only when every backorder is filled', () => {
    const fills = fillBackorders([bo(1, 2), bo(2, 1)], [slot(1, 10)]);
    expect(fills.map((f) => [f.backorderId, f.quantity, f.stillBackordered])).toEqual([
      [1, 2, 0],
      [2, 1, 0],
    ]);
  });
});

describe('replenishment with backorders', () => {
  const product = { isActive: true, autoReplenish: true, reorderPoint: 10, reorderQuantity: 20, leadTimeDays: 2, unitCost: '1.00', supplierId: 1 };

  it('orders the reorder quantity without backorders (v1) and at least what brings available - backordered to the reorder point with them', () => {
    expect(orderQuantity(product, 3, 0)).toBe(20);
    expect(orderQuantity(product, -5, 5)).toBe(20); // 10 - (-5) = 15 < 20
    expect(orderQuantity(product, -30, 30)).toBe(40); // 10 - (-30) = 40
  });

  it('the trigger sees available - backordered', () => {
    expect(decideReorderPointReplenishment({ product, availableInWarehouse: 12, hasOpenPurchaseOrder: false })).toEqual({
      create: false,
      why: 'STOCK_SUFFICIENT',
    });
    expect(decideReorderPointReplenishment({ product, availableInWarehouse: 12, backorderedInWarehouse: 3, hasOpenPurchaseOrder: false })).toEqual({
      create: true,
      quantity: 20,
      unitCost: '1.00',
      supplierId: 1,
    });
    expect(decideReorderPointReplenishment({ product, availableInWarehouse: 0, backorderedInWarehouse: 25, hasOpenPurchaseOrder: false })).toEqual({
      create: true,
      quantity: 35,
      unitCost: '1.00',
      supplierId: 1,
    });
  });
});
