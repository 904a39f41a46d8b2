import { planRelease, planShipment, type OpenReservation } from '../../../src/domain/reservation-draw-down';

const row = (reservationId: number, productId: number, locationId: number, openQuantity: number): OpenReservation => ({
  reservationId,
  productId,
  sku: `SKU-${productId}`,
  locationId,
  openQuantity,
});

// Product 1 is reserved at two locations (rows listed out of id order on purpose), product 2 at one.
const reservation = [row(12, 1, 200, 4), row(11, 1, 100, 3), row(13, 2, 300, 5)];

describe('planShipment without lines', () => {
  it('ships everything still open, per product, rows lowest reservationId first', () => {
    expect(planShipment(reservation, undefined)).toEqual({
      ok: true,
      lines: [
        {
          productId: 1,
          sku: 'SKU-1',
          quantity: 7,
          allocations: [
            { locationId: 100, reservationId: 11, quantity: 3 },
            { locationId: 200, reservationId: 12, quantity: 4 },
          ],
        },
        { productId: 2, sku: 'SKU-2', quantity: 5, allocations: [{ locationId: 300, reservationId: 13, quantity: 5 }] },
      ],
    });
  });

  it('ignores rows already fully shipped or released', () => {
    const result = planShipment([row(1, 1, 100, 0), row(2, 1, 200, 2)], undefined);
    expect(result.ok && result.lines[0]?.allocations).toEqual([{ locationId: 200, reservationId: 2, quantity: 2 }]);
  });
});

describe('planShipment with lines', () => {
  it('ships the requested quantity from the lowest reservationId first', () => {
    const result = planShipment(reservation, [{ productId: 1, quantity: 5 }]);
    expect(result).toEqual({
      ok: true,
      lines: [
        {
          productId: 1,
          sku: 'SKU-1',
          quantity: 5,
          allocations: [
            { locationId: 100, reservationId: 11, quantity: 3 },
            { locationId: 200, reservationId: 12, quantity: 2 },
          ],
        },
      ],
    });
  });

  it('matches a line by sku against the reservation and merges it with a line by id', () => {
    const result = planShipment(reservation, [
      { sku: 'SKU-1', quantity: 2 },
      { productId: 1, quantity: 2 },
    ]);
    expect(result.ok && result.lines).toEqual([
      {
        productId: 1,
        sku: 'SKU-1',
        quantity: 4,
        allocations: [
          { locationId: 100, reservationId: 11, quantity: 3 },
          { locationId: 200, reservationId: 12, quantity: 1 },
        ],
      },
    ]);
  });

  it('rejects more than is still reserved, judged on the merged quantity', () => {
    const result = planShipment(reservation, [
      { productId: 2, quantity: 3 },
      { sku: 'SKU-2', quantity: 3 },
    ]);
    expect(result).toEqual({
      ok: false,
      reason: 'EXCEEDS_RESERVED',
      detail: 'product 2 (SKU-2): shipping 6 exceeds the 5 still reserved',
    });
  });

  it('rejects a product the order did not reserve', () => {
    expect(
      planShipment(reservation, [
        { productId: 1, quantity: 1 },
        { sku: 'SKU-9', quantity: 1 },
      ]),
    ).toEqual({
      ok: false,
      reason: 'PRODUCT_NOT_RESERVED',
      detail: 'sku SKU-9 is not reserved for this order',
    });
    expect(planShipment(reservation, [{ productId: 9, quantity: 1 }])).toMatchObject({ reason: 'PRODUCT_NOT_RESERVED' });
  });

  it('rejects a line whose productId and sku name different products', () => {
    expect(planShipment(reservation, [{ productId: 1, sku: 'SKU-2', quantity: 1 }])).toEqual({
      ok: false,
      reason: 'PRODUCT_NOT_RESERVED',
      detail: 'product 1 (sku SKU-2) is not reserved for this order',
    });
    expect(planShipment(reservation, [{ productId: 1, sku: 'SKU-1', quantity: 1 }])).toMatchObject({ ok: true });
  });

  it('treats a product whose rows are all used up as not reserved', () => {
    const result = planShipment([row(1, 1, 100, 0), row(2, 2, 200, 1)], [{ productId: 1, quantity: 1 }]);
    expect(result).toMatchObject({ ok: false, reason: 'PRODUCT_NOT_RESERVED' });
  });
});

describe('planShipment of an order with nothing reserved', () => {
  it.each([
    ['no rows', []],
    ['only spent rows', [row(1, 1, 100, 0)]],
  ])('is NOTHING_RESERVED with %s, with or without lines', (_label, rows) => {
    expect(planShipment(rows, undefined)).toMatchObject({ ok: false, reason: 'NOTHING_RESERVED' });
    expect(planShipment(rows, [{ productId: 1, quantity: 1 }])).toMatchObject({ ok: false, reason: 'NOTHING_RESERVED' });
  });
});

describe('planRelease', () => {
  it('releases everything still open, per product', () => {
    const { lines } = planRelease([...reservation, row(14, 2, 301, 0)]);
    expect(lines.map((l) => [l.productId, l.sku, l.quantity])).toEqual([
      [1, 'SKU-1', 7],
      [2, 'SKU-2', 5],
    ]);
    expect(lines[1]?.allocations).toEqual([{ locationId: 300, reservationId: 13, quantity: 5 }]);
  });

  it('releases nothing when nothing is open', () => {
    expect(planRelease([row(1, 1, 100, 0)])).toEqual({ lines: [] });
  });
});
