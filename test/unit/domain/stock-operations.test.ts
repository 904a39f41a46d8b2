import { checkAdjustment, checkCount, checkTransfer } from '../../../src/domain/stock-operations';

describe('checkAdjustment', () => {
  it('applies a positive or negative delta', () => {
    expect(checkAdjustment({ onHand: 10, reserved: 4 }, 5)).toEqual({ ok: true, onHand: 15 });
    expect(checkAdjustment({ onHand: 10, reserved: 4 }, -6)).toEqual({ ok: true, onHand: 4 });
  });

  it('refuses to go below what is reserved', () => {
    expect(checkAdjustment({ onHand: 10, reserved: 4 }, -7)).toEqual({
      ok: false,
      reason: 'BELOW_RESERVED',
      detail: 'adjusting 10 on hand by -7 would leave 3, below the 4 reserved',
    });
  });

  it('refuses to go below zero, reported before the reservation problem', () => {
    expect(checkAdjustment({ onHand: 3, reserved: 2 }, -5)).toEqual({
      ok: false,
      reason: 'BELOW_ZERO',
      detail: 'adjusting 3 on hand by -5 would leave -2, below zero',
    });
  });

  it('allows taking everything when nothing is reserved', () => {
    expect(checkAdjustment({ onHand: 3, reserved: 0 }, -3)).toEqual({ ok: true, onHand: 0 });
  });
});

describe('checkCount', () => {
  it('books the difference between count and books', () => {
    expect(checkCount({ onHand: 10, reserved: 2 }, 7)).toEqual({ ok: true, delta: -3, onHand: 7 });
    expect(checkCount({ onHand: 10, reserved: 2 }, 12)).toEqual({ ok: true, delta: 2, onHand: 12 });
  });

  it('gives a zero delta when the count confirms the books', () => {
    expect(checkCount({ onHand: 10, reserved: 2 }, 10)).toEqual({ ok: true, delta: 0, onHand: 10 });
  });

  it('accepts a count equal to the reserved quantity but not below it', () => {
    expect(checkCount({ onHand: 10, reserved: 4 }, 4)).toMatchObject({ ok: true, delta: -6 });
    expect(checkCount({ onHand: 10, reserved: 4 }, 3)).toEqual({ ok: false, reason: 'BELOW_RESERVED', detail: 'counted 3, below the 4 reserved' });
  });

  it('refuses a negative count', () => {
    expect(checkCount({ onHand: 0, reserved: 0 }, -1)).toMatchObject({ ok: false, reason: 'BELOW_ZERO' });
  });
});

describe('checkTransfer', () => {
  it('moves unreserved stock', () => {
    expect(checkTransfer({ onHand: 10, reserved: 4 }, 6)).toEqual({ ok: true, fromOnHand: 4 });
  });

  it('refuses to move reserved units', () => {
    expect(checkTransfer({ onHand: 10, reserved: 4 }, 7)).toEqual({
      ok: false,
      reason: 'INSUFFICIENT_UNRESERVED_STOCK',
      detail: 'cannot move 7: only 6 of 10 on hand are unreserved',
    });
  });
});
