import { expiryEventIds } from '../../../src/holds/release-expired';

describe('expiryEventIds', () => {
  const hold = { orderId: 'ORD-1', holdUntil: new Date('2026-12-01T12:15:00.000Z') };

  it('are derived from the order and the deadline only, one per event type', () => {
    const ids = expiryEventIds(hold);
    expect(ids).toEqual({ stockReleased: expect.stringMatching(/^[0-9a-f-]{36}$/), reservationExpired: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(ids.stockReleased).not.toBe(ids.reservationExpired);
    expect(expiryEventIds({ ...hold })).toEqual(ids);
    expect(expiryEventIds({ ...hold, holdUntil: new Date('2026-12-01T12:15:00.001Z') }).reservationExpired).not.toBe(ids.reservationExpired);
    expect(expiryEventIds({ ...hold, orderId: 'ORD-2' }).reservationExpired).not.toBe(ids.reservationExpired);
  });
});
