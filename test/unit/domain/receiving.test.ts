import { checkReceipt, receivableQuantity, type PurchaseOrderForReceipt } from '../../../src/domain/receiving';

const po = (status: PurchaseOrderForReceipt['status'] = 'CONFIRMED'): PurchaseOrderForReceipt => ({
  status,
  lines: [
    { productId: 1, ordered: 100, received: 0 },
    { productId: 2, ordered: 10, received: 4 },
  ],
});

describe('checkReceipt', () => {
  it('books a partial receipt and keeps the PO PARTIAL', () => {
    expect(checkReceipt(po(), [{ productId: 1, quantity: 60 }], 5)).toEqual({
      ok: true,
      lines: [
        { productId: 1, ordered: 100, received: 60, receivedNow: 60 },
        { productId: 2, ordered: 10, received: 4, receivedNow: 0 },
      ],
      poStatus: 'PARTIAL',
      previousStatus: 'CONFIRMED',
      statusChanged: true,
    });
  });

  it('closes the PO as RECEIVED once every line is complete', () => {
    const result = checkReceipt(
      po('PARTIAL'),
      [
        { productId: 1, quantity: 100 },
        { productId: 2, quantity: 6 },
      ],
      0,
    );
    expect(result).toMatchObject({ ok: true, poStatus: 'RECEIVED', previousStatus: 'PARTIAL', statusChanged: true });
  });

  it('says the status did not change for a further partial receipt', () => {
    expect(checkReceipt(po('PARTIAL'), [{ productId: 1, quantity: 1 }], 0)).toMatchObject({ poStatus: 'PARTIAL', statusChanged: false });
  });

  it.each(['DRAFT', 'SENT', 'RECEIVED', 'CANCELLED'] as const)('rejects a receipt for a %s PO', (status) => {
    expect(checkReceipt(po(status), [{ productId: 1, quantity: 1 }], 0)).toMatchObject({ ok: false, reason: 'INVALID_PO_STATUS' });
  });

  it('rejects a product that is not on the PO, naming it', () => {
    expect(checkReceipt(po(), [{ productId: 3, quantity: 1 }], 0)).toEqual({
      ok: false,
      reason: 'PRODUCT_NOT_ON_PO',
      detail: 'product 3 is not on the purchase order',
    });
    expect(checkReceipt(po(), [{ productId: null, sku: 'NOPE', quantity: 1 }], 0)).toMatchObject({
      reason: 'PRODUCT_NOT_ON_PO',
      detail: 'sku NOPE is not on the purchase order',
    });
  });

  it('checks status before products, and products before quantities (contract order)', () => {
    const unknownAndOver = [
      { productId: 2, quantity: 999 },
      { productId: 3, quantity: 1 },
    ];
    expect(checkReceipt(po('SENT'), unknownAndOver, 0)).toMatchObject({ reason: 'INVALID_PO_STATUS' });
    expect(checkReceipt(po(), unknownAndOver, 0)).toMatchObject({ reason: 'PRODUCT_NOT_ON_PO' });
  });

  it('accepts up to the open quantity plus the whole-unit tolerance', () => {
    // Product 2: open 10 - 4 = 6; 15% of 10 = 1.5 -> 1 unit of tolerance.
    expect(checkReceipt(po(), [{ productId: 2, quantity: 7 }], 15)).toMatchObject({ ok: true, poStatus: 'PARTIAL' });
  });

  it('rejects one unit beyond it as OVER_RECEIPT, saying which product and how much', () => {
    expect(checkReceipt(po(), [{ productId: 2, quantity: 8 }], 15)).toEqual({
      ok: false,
      reason: 'OVER_RECEIPT',
      detail: 'product 2: receiving 8 exceeds the 7 still receivable (ordered 10, already received 4, tolerance 15%)',
    });
  });

  it('merges lines per product so splitting a delivery cannot dodge the limit', () => {
    const split = [
      { productId: 2, quantity: 4 },
      { productId: 2, quantity: 3 },
    ];
    expect(checkReceipt(po(), split, 0)).toMatchObject({ ok: false, reason: 'OVER_RECEIPT' });
    expect(checkReceipt(po(), split, 10)).toMatchObject({ ok: true, lines: [{ receivedNow: 0 }, { received: 11, receivedNow: 7 }] });
  });
});

describe('receivableQuantity', () => {
  it('floors the tolerance without losing an exact unit to float error', () => {
    // 10000 * 0.57 / 100 is 56.99999999999999 in floats; the tolerance is 57 units.
    expect(receivableQuantity({ productId: 1, ordered: 10000, received: 0 }, 0.57)).toBe(10057);
  });

  it('is never negative for a line already over-received', () => {
    expect(receivableQuantity({ productId: 1, ordered: 10, received: 12 }, 10)).toBe(0);
  });
});
