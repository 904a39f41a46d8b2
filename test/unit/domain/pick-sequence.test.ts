import { availableAt, pickSequence, totalAvailable, type StockAtLocation } from '../../../src/domain/pick-sequence';

const slot = (locationId: number, locationType: StockAtLocation['locationType'], onHand: number, reserved = 0): StockAtLocation => ({
  locationId,
  locationType,
  onHand,
  reserved,
});

describe('availability', () => {
  it('is on hand minus reserved', () => {
    expect(availableAt({ onHand: 10, reserved: 3 })).toBe(7);
  });

  it('never goes negative, so an over-reserved row cannot cancel out other rows', () => {
    expect(availableAt({ onHand: 2, reserved: 5 })).toBe(0);
    expect(
      totalAvailable([
        { onHand: 2, reserved: 5 },
        { onHand: 4, reserved: 0 },
      ]),
    ).toBe(4);
  });
});

describe('pickSequence', () => {
  it('orders PICK_FACE, then BULK, then OVERFLOW regardless of quantities', () => {
    const order = pickSequence([slot(1, 'OVERFLOW', 100), slot(2, 'BULK', 50), slot(3, 'PICK_FACE', 1)]);
    expect(order.map((s) => s.locationId)).toEqual([3, 2, 1]);
  });

  it('within a type takes the location with the most available first, then the lowest id', () => {
    const order = pickSequence([slot(5, 'BULK', 10), slot(4, 'BULK', 30, 25), slot(2, 'BULK', 10), slot(9, 'BULK', 20)]);
    // available: 5->10, 4->5, 2->10, 9->20
    expect(order.map((s) => s.locationId)).toEqual([9, 2, 5, 4]);
  });

  it('leaves out rows with nothing available', () => {
    expect(pickSequence([slot(1, 'PICK_FACE', 5, 5), slot(2, 'BULK', 0)])).toEqual([]);
  });
});
