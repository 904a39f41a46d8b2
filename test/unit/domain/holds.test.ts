import { decideConfirmation, decideShipmentHold, endsHoldOnCancel, expiryEvents, type Hold, type HoldStatus } from '../../../src/domain/holds';
import { planRelease } from '../../../src/domain/reservation-draw-down';

const holdUntil = new Date('2026-12-01T12:15:00.000Z');
const hold = (status: HoldStatus): Hold => ({ orderId: 'ORD-1', holdUntil, status });

describe('OrderConfirmed against the hold', () => {
  it('makes a HELD hold firm', () => {
    expect(decideConfirmation(hold('HELD'))).toEqual({ refused: false, confirm: true, outcome: 'CONFIRMED' });
  });

  it('changes nothing for an order without a hold (placed without holdUntil, or unknown)', () => {
    expect(decideConfirmation(null)).toEqual({ refused: false, confirm: false, outcome: 'NOT_ON_HOLD' });
  });

  it.each<HoldStatus>(['CONFIRMED', 'SHIPPED'])('changes nothing for a hold that is already firm (%s)', (status) => {
    expect(decideConfirmation(hold(status))).toEqual({ refused: false, confirm: false, outcome: 'ALREADY_FIRM' });
  });

  it('changes nothing for a cancelled order', () => {
    expect(decideConfirmation(hold('CANCELLED'))).toEqual({ refused: false, confirm: false, outcome: 'ORDER_CANCELLED' });
  });

  it('refuses an expired hold with HOLD_EXPIRED, naming the deadline', () => {
    const decision = decideConfirmation(hold('EXPIRED'));
    expect(decision).toMatchObject({ refused: true, code: 'HOLD_EXPIRED' });
    expect(decision.refused && decision.detail).toContain('2026-12-01T12:15:00.000Z');
  });
});

describe('OrderShipped against the hold', () => {
  it('ends a HELD hold (whole or partial shipment alike)', () => {
    expect(decideShipmentHold(hold('HELD'))).toEqual({ refused: false, endHold: true });
  });

  it.each<[string, Hold | null]>([
    ['no hold (v1 order)', null],
    ['a confirmed hold', hold('CONFIRMED')],
    ['a hold ended by an earlier shipment', hold('SHIPPED')],
    ['a cancelled order (v1 refuses it as NOTHING_RESERVED later)', hold('CANCELLED')],
  ])('leaves %s to the v1 shipment rules', (_, h) => {
    expect(decideShipmentHold(h)).toEqual({ refused: false, endHold: false });
  });

  it('refuses an expired hold with HOLD_EXPIRED instead of NOTHING_RESERVED', () => {
    expect(decideShipmentHold(hold('EXPIRED'))).toMatchObject({ refused: true, code: 'HOLD_EXPIRED' });
  });
});

describe('OrderCancelled against the hold', () => {
  it('ends only a HELD hold; an expired one stays EXPIRED', () => {
    expect(endsHoldOnCancel(hold('HELD'))).toBe(true);
    for (const status of ['CONFIRMED', 'SHIPPED', 'CANCELLED', 'EXPIRED'] as const) expect(endsHoldOnCancel(hold(status))).toBe(false);
    expect(endsHoldOnCancel(null)).toBe(false);
  });
});

describe('expiryEvents', () => {
  it('publishes what was still reserved, per product, as StockReleased EXPIRED and ReservationExpired at the deadline', () => {
    const { lines } = planRelease([
      { reservationId: 2, productId: 7, sku: 'B', locationId: 20, openQuantity: 3 },
      { reservationId: 1, productId: 5, sku: 'A', locationId: 10, openQuantity: 2 },
      { reservationId: 3, productId: 5, sku: 'A', locationId: 11, openQuantity: 4 },
    ]);
    const events = expiryEvents(hold('HELD'), lines);
    const expected = [
      { productId: 5, sku: 'A', quantity: 6 },
      { productId: 7, sku: 'B', quantity: 3 },
    ];
    expect(events.stockReleased).toEqual({ orderId: 'ORD-1', lines: expected, reason: 'EXPIRED' });
    expect(events.reservationExpired).toEqual({ orderId: 'ORD-1', expiredAt: '2026-12-01T12:15:00.000Z', lines: expected });
  });

  it('still says that a hold with nothing left reserved ended', () => {
    expect(expiryEvents(hold('HELD'), []).reservationExpired.lines).toEqual([]);
  });
});
