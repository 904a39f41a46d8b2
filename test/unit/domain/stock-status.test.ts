import { stockStatus } from '../../../src/domain/stock-status';
import { decideReorderPointReplenishment } from '../../../src/domain/replenishment';

describe('stockStatus', () => {
  test('out of stock at 0, low strictly below the reorder point, else in stock', () => {
    expect(stockStatus({ available: 0, reorderPoint: 10 })).toBe('OUT_OF_STOCK');
    expect(stockStatus({ available: 0, reorderPoint: 0 })).toBe('OUT_OF_STOCK');
    expect(stockStatus({ available: 9, reorderPoint: 10 })).toBe('LOW_STOCK');
    expect(stockStatus({ available: 10, reorderPoint: 10 })).toBe('IN_STOCK');
    expect(stockStatus({ available: 1, reorderPoint: 0 })).toBe('IN_STOCK');
  });

  test('LOW_STOCK exactly when the reorder-point trigger would order', () => {
    const product = { isActive: true, autoReplenish: true, reorderPoint: 10, reorderQuantity: 50, leadTimeDays: 3, unitCost: '1.00', supplierId: 1 };
    for (let available = 1; available <= 20; available++) {
      const orders = decideReorderPointReplenishment({ product, availableInWarehouse: available, hasOpenPurchaseOrder: false }).create;
      expect({ available, low: stockStatus({ available, reorderPoint: 10 }) === 'LOW_STOCK' }).toEqual({ available, low: orders });
    }
  });

  test('contract v2: LOW_STOCK tests available - backordered, as the trigger does; OUT_OF_STOCK stays available 0', () => {
    const product = { isActive: true, autoReplenish: true, reorderPoint: 10, reorderQuantity: 50, leadTimeDays: 3, unitCost: '1.00', supplierId: 1 };
    for (const backordered of [0, 3, 15]) {
      for (let available = 1; available <= 20; available++) {
        const orders = decideReorderPointReplenishment({
          product,
          availableInWarehouse: available,
          backorderedInWarehouse: backordered,
          hasOpenPurchaseOrder: false,
        }).create;
        expect({ available, backordered, low: stockStatus({ available, backordered, reorderPoint: 10 }) === 'LOW_STOCK' }).toEqual({
          available,
          backordered,
          low: orders,
        });
      }
    }
    expect(stockStatus({ available: 12, backordered: 3, reorderPoint: 10 })).toBe('LOW_STOCK');
    expect(stockStatus({ available: 0, backordered: 3, reorderPoint: 0 })).toBe('OUT_OF_STOCK');
  });
});
