import { planReceiptPutaway, type ReceiptPutawayLine, type StorageLocation } from '../../../src/domain/receipt-putaway';

// 500 g, 100 x 100 x 100 mm = 1000 cm3 per unit.
const hammer: ReceiptPutawayLine['product'] = { productId: 1, sku: 'HAMMER', unitWeightGrams: 500, dimensions: { length: 100, width: 100, height: 100 } };
const saw: ReceiptPutawayLine['product'] = { productId: 2, sku: 'SAW', unitWeightGrams: 500, dimensions: { length: 100, width: 100, height: 100 } };

const location = (locationId: number, overrides: Partial<StorageLocation> = {}): StorageLocation => ({
  locationId,
  type: 'BULK',
  maxWeightKg: 1000,
  maxVolumeCubicCm: 1_000_000,
  usedWeightGrams: 0,
  usedVolumeCubicCm: 0,
  heldProductIds: [],
  isEmpty: true,
  ...overrides,
});

describe('planReceiptPutaway', () => {
  it('uses a named location of the warehouse that has room, even over a consolidating one', () => {
    const plan = planReceiptPutaway([{ product: hammer, quantity: 4, locationId: 3 }], [location(1, { heldProductIds: [1], isEmpty: false }), location(3)]);
    expect(plan).toEqual({ ok: true, placements: [{ productId: 1, sku: 'HAMMER', locationId: 3, quantity: 4 }] });
  });

  it('puts a line away by suggestion when its named location cannot take all of it', () => {
    // Location 3 takes 2 units by weight: not the 4 named, so the line is suggested as a whole.
    const plan = planReceiptPutaway([{ product: hammer, quantity: 4, locationId: 3 }], [location(1), location(3, { maxWeightKg: 1 })]);
    expect(plan).toEqual({ ok: true, placements: [{ productId: 1, sku: 'HAMMER', locationId: 1, quantity: 4 }] });
  });

  it('ignores a named location that is not in the warehouse', () => {
    const plan = planReceiptPutaway([{ product: hammer, quantity: 1, locationId: 99 }], [location(1)]);
    expect(plan).toEqual({ ok: true, placements: [{ productId: 1, sku: 'HAMMER', locationId: 1, quantity: 1 }] });
  });

  it('lets named lines claim their space before suggested lines, whatever the line order', () => {
    // Location 1 has room for 4 more units and already holds HAMMER. The named SAW
    // line takes 3 of them first, although it comes second; HAMMER gets the last one.
    const plan = planReceiptPutaway(
      [
        { product: hammer, quantity: 2 },
        { product: saw, quantity: 3, locationId: 1 },
      ],
      [location(1, { maxWeightKg: 2.5, usedWeightGrams: 500, heldProductIds: [1], isEmpty: false }), location(2)],
    );
    expect(plan).toEqual({
      ok: true,
      placements: [
        { productId: 2, sku: 'SAW', locationId: 1, quantity: 3 },
        { productId: 1, sku: 'HAMMER', locationId: 1, quantity: 1 },
        { productId: 1, sku: 'HAMMER', locationId: 2, quantity: 1 },
      ],
    });
  });

  it('counts what an earlier line placed: a location it filled is no longer empty', () => {
    // HAMMER takes the empty pick face; SAW then prefers the still-empty bulk location to sharing it.
    const plan = planReceiptPutaway(
      [
        { product: hammer, quantity: 1 },
        { product: saw, quantity: 1 },
      ],
      [location(1, { type: 'PICK_FACE' }), location(2)],
    );
    expect(plan).toEqual({
      ok: true,
      placements: [
        { productId: 1, sku: 'HAMMER', locationId: 1, quantity: 1 },
        { productId: 2, sku: 'SAW', locationId: 2, quantity: 1 },
      ],
    });
  });

  it('merges lines of one product and location into one placement', () => {
    const plan = planReceiptPutaway(
      [
        { product: hammer, quantity: 2 },
        { product: hammer, quantity: 3 },
      ],
      [location(1)],
    );
    expect(plan).toEqual({ ok: true, placements: [{ productId: 1, sku: 'HAMMER', locationId: 1, quantity: 5 }] });
  });

  it('splits by volume across locations', () => {
    // 3500 cm3 takes 3 units of 1000 cm3; the rest goes to the next location.
    const plan = planReceiptPutaway([{ product: hammer, quantity: 5 }], [location(1, { maxVolumeCubicCm: 3500 }), location(2)]);
    expect(plan).toEqual({
      ok: true,
      placements: [
        { productId: 1, sku: 'HAMMER', locationId: 1, quantity: 3 },
        { productId: 1, sku: 'HAMMER', locationId: 2, quantity: 2 },
      ],
    });
  });

  it('fails whole when any line does not fit, saying how much would', () => {
    const plan = planReceiptPutaway(
      [
        { product: hammer, quantity: 1 },
        { product: saw, quantity: 4 },
      ],
      [location(1, { maxWeightKg: 2 })],
    );
    expect(plan).toEqual({ ok: false, reason: 'NO_PUTAWAY_CAPACITY', detail: 'SAW: room for 3 of 4 unit(s) in the warehouse' });
  });

  it('does not change the locations it was given', () => {
    const locations = [location(1)];
    planReceiptPutaway([{ product: hammer, quantity: 2 }], locations);
    expect(locations).toEqual([location(1)]);
  });
});
