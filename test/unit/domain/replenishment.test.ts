import { decideDailyScan, decideReorderPointReplenishment, type ReplenishableProduct } from '../../../src/domain/replenishment';

const product = (overrides: Partial<ReplenishableProduct> = {}): ReplenishableProduct => ({
  isActive: true,
  autoReplenish: true,
  reorderPoint: 10,
  reorderQuantity: 50,
  leadTimeDays: 5,
  unitCost: '12.50',
  supplierId: 3,
  ...overrides,
});

describe('decideReorderPointReplenishment', () => {
  const decide = (available: number, overrides: Partial<ReplenishableProduct> = {}, hasOpenPurchaseOrder = false) =>
    decideReorderPointReplenishment({ product: product(overrides), availableInWarehouse: available, hasOpenPurchaseOrder });

  it('orders the reorder quantity once available drops strictly below the reorder point', () => {
    expect(decide(9)).toEqual({ create: true, quantity: 50, unitCost: '12.50', supplierId: 3 });
  });

  it('does not order at the reorder point itself', () => {
    expect(decide(10)).toEqual({ create: false, why: 'STOCK_SUFFICIENT' });
  });

  it.each<[string, Partial<ReplenishableProduct>, boolean]>([
    ['PRODUCT_INACTIVE', { isActive: false }, false],
    ['AUTO_REPLENISH_OFF', { autoReplenish: false }, false],
    ['OPEN_PURCHASE_ORDER', {}, true],
    ['NO_SUPPLIER', { supplierId: null }, false],
    ['NO_REORDER_QUANTITY', { reorderQuantity: 0 }, false],
  ])('does not order below the point: %s', (why, overrides, hasOpenPurchaseOrder) => {
    expect(decide(0, overrides, hasOpenPurchaseOrder)).toEqual({ create: false, why });
  });

  it('names the most fundamental reason first', () => {
    expect(decide(0, { isActive: false, autoReplenish: false, supplierId: null }, true)).toEqual({ create: false, why: 'PRODUCT_INACTIVE' });
    expect(decide(0, { supplierId: null }, true)).toEqual({ create: false, why: 'OPEN_PURCHASE_ORDER' });
    // A product with enough stock is not flagged for its missing supplier.
    expect(decide(20, { supplierId: null })).toEqual({ create: false, why: 'STOCK_SUFFICIENT' });
  });

  it('keeps unitCost as the exact decimal string', () => {
    expect(decide(0, { unitCost: '0.10' })).toMatchObject({ unitCost: '0.10' });
  });
});

describe('decideDailyScan', () => {
  const scan = (available: number, averageDailyDemand: number, overrides: Partial<ReplenishableProduct> = {}, hasOpenPurchaseOrder = false) =>
    decideDailyScan({ product: product(overrides), available, averageDailyDemand, hasOpenPurchaseOrder });

  // reorderPoint 10, leadTimeDays 5, demand 2/day: orders while available - 10 <= 2 * 2 * 5 = 20.
  it('orders when the stock above the reorder point lasts two lead times or less', () => {
    expect(scan(30, 2)).toEqual({ create: true, quantity: 50, unitCost: '12.50', supplierId: 3 });
    expect(scan(15, 2)).toMatchObject({ create: true });
  });

  it('does not order while there is more than that', () => {
    expect(scan(31, 2)).toEqual({ create: false, why: 'STOCK_SUFFICIENT' });
  });

  it('with zero demand, orders only a product already strictly below its reorder point', () => {
    expect(scan(9, 0)).toMatchObject({ create: true });
    expect(scan(10, 0)).toEqual({ create: false, why: 'STOCK_SUFFICIENT' });
    expect(scan(500, 0)).toEqual({ create: false, why: 'STOCK_SUFFICIENT' });
  });

  it('respects the same gates as the reorder-point trigger', () => {
    expect(scan(0, 2, {}, true)).toEqual({ create: false, why: 'OPEN_PURCHASE_ORDER' });
    expect(scan(0, 2, { autoReplenish: false })).toEqual({ create: false, why: 'AUTO_REPLENISH_OFF' });
    expect(scan(0, 2, { isActive: false })).toEqual({ create: false, why: 'PRODUCT_INACTIVE' });
    expect(scan(0, 2, { supplierId: null })).toEqual({ create: false, why: 'NO_SUPPLIER' });
  });
});
