import { checkRoom, suggestPutaway, unitsThatFit, unitVolumeCubicCm, type PutawayCandidate, type PutawayProduct } from '../../../src/domain/putaway';

// 500 g, 100 x 100 x 100 mm = 1000 cm3 per unit.
const box: PutawayProduct = { productId: 1, unitWeightGrams: 500, dimensions: { length: 100, width: 100, height: 100 } };

const location = (locationId: number, overrides: Partial<PutawayCandidate> = {}): PutawayCandidate => ({
  locationId,
  type: 'BULK',
  maxWeightKg: 1000,
  maxVolumeCubicCm: 1_000_000,
  usedWeightGrams: 0,
  usedVolumeCubicCm: 0,
  holdsProduct: false,
  isEmpty: true,
  ...overrides,
});

describe('unitsThatFit', () => {
  it('converts mm dimensions to cm3', () => {
    expect(unitVolumeCubicCm({ unitWeightGrams: 1, dimensions: { length: 300, width: 100, height: 40 } })).toBe(1200);
  });

  it('is bound by weight when weight runs out first', () => {
    // 10 kg = 10000 g, 2500 used: 7500 / 500 = 15 units; volume would allow 1000.
    expect(unitsThatFit(location(1, { maxWeightKg: 10, usedWeightGrams: 2500 }), box)).toBe(15);
  });

  it('is bound by volume when volume runs out first', () => {
    // 12500 - 3000 = 9500 cm3 free: 9 whole units; weight would allow 2000.
    expect(unitsThatFit(location(1, { maxVolumeCubicCm: 12_500, usedVolumeCubicCm: 3000 }), box)).toBe(9);
  });

  it('counts a unit that fits exactly despite float rounding of kg', () => {
    // 2.01 kg is 2010 g, exactly three 670 g units, but 2.01 * 1000 is 2009.9999999999998 in floats.
    expect(unitsThatFit(location(1, { maxWeightKg: 2.01 }), { ...box, unitWeightGrams: 670 })).toBe(3);
  });

  it('does not limit a product recorded with neither weight nor size', () => {
    expect(unitsThatFit(location(1), { unitWeightGrams: 0, dimensions: { length: 0, width: 0, height: 0 } })).toBe(Infinity);
  });

  it('is 0 for a full or overfull location', () => {
    expect(unitsThatFit(location(1, { maxWeightKg: 1, usedWeightGrams: 1200 }), box)).toBe(0);
  });
});

describe('suggestPutaway', () => {
  it('consolidates with the same product before using an empty location', () => {
    const result = suggestPutaway({ product: box, quantity: 5 }, [
      location(1, { type: 'PICK_FACE', isEmpty: true }),
      location(2, { type: 'OVERFLOW', holdsProduct: true, isEmpty: false }),
    ]);
    expect(result).toEqual({ ok: true, placements: [{ locationId: 2, quantity: 5 }] });
  });

  it('prefers an empty location to one holding other products', () => {
    const result = suggestPutaway({ product: box, quantity: 5 }, [
      location(1, { type: 'PICK_FACE', isEmpty: false }),
      location(2, { type: 'OVERFLOW', isEmpty: true }),
    ]);
    expect(result).toEqual({ ok: true, placements: [{ locationId: 2, quantity: 5 }] });
  });

  it('within a group orders PICK_FACE, BULK, OVERFLOW, then lowest locationId', () => {
    const candidates = [location(5, { type: 'OVERFLOW' }), location(4, { type: 'BULK' }), location(3, { type: 'BULK' }), location(9, { type: 'PICK_FACE' })];
    expect(suggestPutaway({ product: box, quantity: 1 }, candidates)).toEqual({ ok: true, placements: [{ locationId: 9, quantity: 1 }] });
    expect(suggestPutaway({ product: box, quantity: 1 }, candidates.slice(0, 3))).toEqual({ ok: true, placements: [{ locationId: 3, quantity: 1 }] });
  });

  it('splits across locations, filling each to its whole-unit capacity', () => {
    const result = suggestPutaway({ product: box, quantity: 10 }, [
      location(1, { holdsProduct: true, isEmpty: false, maxWeightKg: 2 }), // 4 units by weight
      location(2, { maxVolumeCubicCm: 3500 }), // 3 units by volume
      location(3, { isEmpty: false }),
    ]);
    expect(result).toEqual({
      ok: true,
      placements: [
        { locationId: 1, quantity: 4 },
        { locationId: 2, quantity: 3 },
        { locationId: 3, quantity: 3 },
      ],
    });
  });

  it('skips a preferred location that has no room', () => {
    const result = suggestPutaway({ product: box, quantity: 2 }, [location(1, { holdsProduct: true, isEmpty: false, maxWeightKg: 0.4 }), location(2)]);
    expect(result).toEqual({ ok: true, placements: [{ locationId: 2, quantity: 2 }] });
  });

  it('places nothing and says how much would fit when not everything fits', () => {
    const result = suggestPutaway({ product: box, quantity: 10 }, [location(1, { maxWeightKg: 2 }), location(2, { maxVolumeCubicCm: 3500 })]);
    expect(result).toEqual({ ok: false, reason: 'NO_PUTAWAY_CAPACITY', placeable: 7 });
  });

  it('has no capacity without candidates', () => {
    expect(suggestPutaway({ product: box, quantity: 1 }, [])).toEqual({ ok: false, reason: 'NO_PUTAWAY_CAPACITY', placeable: 0 });
  });
});

describe('checkRoom for a location the sender named', () => {
  it('accepts a quantity that fits exactly', () => {
    expect(checkRoom(location(7, { maxWeightKg: 2 }), box, 4)).toEqual({ ok: true });
  });

  it('refuses one unit too many, saying what fits and why', () => {
    expect(checkRoom(location(7, { maxWeightKg: 2, maxVolumeCubicCm: 10_000 }), box, 5)).toEqual({
      ok: false,
      reason: 'NO_PUTAWAY_CAPACITY',
      fits: 4,
      detail: 'location 7 has room for 4 more unit(s) (weight allows 4, volume allows 10), 5 requested',
    });
  });

  it('refuses on volume even when weight has room', () => {
    expect(checkRoom(location(7, { maxVolumeCubicCm: 5000, usedVolumeCubicCm: 4500 }), box, 1)).toMatchObject({ ok: false, fits: 0 });
  });
});
