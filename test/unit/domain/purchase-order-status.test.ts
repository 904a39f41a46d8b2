import {
  isOpen,
  statusAfterReceipt,
  transitionFromProcurement,
  type ProcurementStatus,
  type PurchaseOrderStatus,
} from '../../../src/domain/purchase-order-status';

describe('transitionFromProcurement', () => {
  it.each<[PurchaseOrderStatus, ProcurementStatus]>([
    ['DRAFT', 'SENT'],
    ['SENT', 'CONFIRMED'],
    ['DRAFT', 'CANCELLED'],
    ['SENT', 'CANCELLED'],
    ['CONFIRMED', 'CANCELLED'],
    ['PARTIAL', 'CANCELLED'],
  ])('allows %s -> %s', (current, requested) => {
    expect(transitionFromProcurement(current, requested)).toEqual({ ok: true, changed: true, status: requested, previousStatus: current });
  });

  it.each<[PurchaseOrderStatus, ProcurementStatus]>([
    ['DRAFT', 'CONFIRMED'], // skipping SENT
    ['CONFIRMED', 'SENT'], // backwards
    ['PARTIAL', 'SENT'],
    ['PARTIAL', 'CONFIRMED'],
    ['RECEIVED', 'CANCELLED'], // closed stays closed
    ['RECEIVED', 'SENT'],
    ['CANCELLED', 'SENT'],
    ['CANCELLED', 'CONFIRMED'],
  ])('refuses %s -> %s', (current, requested) => {
    expect(transitionFromProcurement(current, requested)).toEqual({
      ok: false,
      reason: 'ILLEGAL_TRANSITION',
      detail: `purchase order cannot go from ${current} to ${requested}`,
    });
  });

  it.each<ProcurementStatus>(['SENT', 'CONFIRMED', 'CANCELLED'])('treats a repeated %s as a no-op', (status) => {
    expect(transitionFromProcurement(status, status)).toEqual({ ok: true, changed: false, status });
  });
});

describe('isOpen', () => {
  it('is true while goods may still arrive and false once closed', () => {
    const statuses: PurchaseOrderStatus[] = ['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL', 'RECEIVED', 'CANCELLED'];
    expect(statuses.filter(isOpen)).toEqual(['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL']);
  });
});

describe('statusAfterReceipt', () => {
  it('is PARTIAL while any line is short', () => {
    expect(
      statusAfterReceipt([
        { ordered: 10, received: 10 },
        { ordered: 5, received: 4 },
      ]),
    ).toBe('PARTIAL');
  });

  it('is RECEIVED when every line has what was ordered or more', () => {
    expect(
      statusAfterReceipt([
        { ordered: 10, received: 10 },
        { ordered: 5, received: 6 },
      ]),
    ).toBe('RECEIVED');
  });
});
