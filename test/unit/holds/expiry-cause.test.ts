import { expiryCause } from '../../../src/holds/release-expired';
import { outboundEventId } from '../../../src/db/outbox';

describe('expiryCause', () => {
  const hold = { orderId: 'ORD-1', holdUntil: new Date('2026-12-01T12:15:00.000Z'), correlationId: 'checkout-1' };

  it('is derived from the order and the deadline only, and has no causation', () => {
    const cause = expiryCause(hold);
    expect(cause).toEqual({ eventId: expect.stringMatching(/^[0-9a-f-]{36}$/), correlationId: 'checkout-1', uncaused: true });
    expect(expiryCause({ ...hold, correlationId: null }).eventId).toBe(cause.eventId);
    expect(expiryCause({ ...hold, holdUntil: new Date('2026-12-01T12:15:00.001Z') }).eventId).not.toBe(cause.eventId);
    expect(expiryCause({ ...hold, orderId: 'ORD-2' }).eventId).not.toBe(cause.eventId);
  });

  it('gives StockReleased and ReservationExpired distinct, stable eventIds', () => {
    const { eventId } = expiryCause(hold);
    expect(outboundEventId(eventId, 'ReservationExpired')).toBe(outboundEventId(expiryCause(hold).eventId, 'ReservationExpired'));
    expect(outboundEventId(eventId, 'ReservationExpired')).not.toBe(outboundEventId(eventId, 'StockReleased'));
  });
});
