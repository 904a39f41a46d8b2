import { mergeLinesBy, mergeOrderLines, requestedProductKey, resolvedProductKey } from '../../../src/domain/order-lines';

describe('mergeOrderLines', () => {
  it('sums lines naming the same productId and keeps the first line in place', () => {
    const merged = mergeOrderLines([
      { productId: 7, quantity: 2 },
      { sku: 'SKU-B', quantity: 1 },
      { productId: 7, quantity: 5 },
    ]);
    expect(merged).toEqual([
      { productId: 7, quantity: 7 },
      { sku: 'SKU-B', quantity: 1 },
    ]);
  });

  it('sums lines naming the same sku', () => {
    expect(
      mergeOrderLines([
        { sku: 'A', quantity: 1 },
        { sku: 'A', quantity: 4 },
      ]),
    ).toEqual([{ sku: 'A', quantity: 5 }]);
  });

  it('keys by productId when a line names both, so it merges with an id-only line', () => {
    const merged = mergeOrderLines([
      { productId: 3, sku: 'X', quantity: 1 },
      { productId: 3, quantity: 2 },
    ]);
    expect(merged).toEqual([{ productId: 3, sku: 'X', quantity: 3 }]);
  });

  it('does not merge a line by id with a line by sku (the caller resolves skus later)', () => {
    expect(
      mergeOrderLines([
        { productId: 3, quantity: 1 },
        { sku: 'SKU-3', quantity: 1 },
      ]),
    ).toHaveLength(2);
  });

  it('does not mutate its input', () => {
    const input = [
      { productId: 1, quantity: 1 },
      { productId: 1, quantity: 1 },
    ];
    mergeOrderLines(input);
    expect(input).toEqual([
      { productId: 1, quantity: 1 },
      { productId: 1, quantity: 1 },
    ]);
  });
});

describe('product keys', () => {
  it('throws on a line naming neither productId nor sku (a schema bug, not an outcome)', () => {
    expect(() => requestedProductKey({})).toThrow(/neither productId nor sku/);
  });

  it('a resolved line is keyed by the product found, whatever the order named', () => {
    const product = { productId: 9, sku: 'S9', isActive: true };
    const bySku = resolvedProductKey({ productId: null, sku: 'S9', quantity: 1, product });
    const byId = resolvedProductKey({ productId: 9, sku: null, quantity: 1, product });
    expect(bySku).toBe(byId);
    expect(resolvedProductKey({ productId: null, sku: 'NOPE', quantity: 1, product: null })).toBe('sku:NOPE');
  });

  it('mergeLinesBy uses the given key', () => {
    const merged = mergeLinesBy(
      [
        { k: 'a', quantity: 1 },
        { k: 'b', quantity: 2 },
        { k: 'a', quantity: 3 },
      ],
      (l) => l.k,
    );
    expect(merged).toEqual([
      { k: 'a', quantity: 4 },
      { k: 'b', quantity: 2 },
    ]);
  });
});
