import { parseInboundMessage } from '../../../src/contracts';
import { envelope } from './examples';

const occurredAt = '2026-11-26T12:00:00.000Z';
const placed = (holdUntil: unknown, at = occurredAt) =>
  parseInboundMessage(
    'orders',
    JSON.stringify(envelope('OrderPlaced', { orderId: 'ORD-1', lines: [{ sku: 'A', quantity: 1 }], holdUntil }, { occurredAt: at })),
  );

describe('OrderPlaced.holdUntil against the envelope (contract v2)', () => {
  it.each([
    ['one millisecond after occurredAt', '2026-11-26T12:00:00.001Z'],
    ['exactly 30 days after', '2026-12-26T12:00:00.000Z'],
    ['with an offset, compared as an instant', '2026-11-26T13:30:00+01:00'],
  ])('accepts a hold %s', (_, holdUntil) => {
    const result = placed(holdUntil);
    expect(result.ok).toBe(true);
    expect(result.ok && result.event.payload).toMatchObject({ holdUntil });
  });

  it.each([
    ['equal to occurredAt', '2026-11-26T12:00:00.000Z', /not after/],
    ['before occurredAt (an offset that makes it earlier)', '2026-11-26T12:30:00+01:00', /not after/],
    ['30 days and 1 ms after', '2026-12-26T12:00:00.001Z', /more than 30 days/],
  ])('refuses a hold %s as INVALID_PAYLOAD', (_, holdUntil, message) => {
    const result = placed(holdUntil);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    expect(!result.ok && result.message).toMatch(message);
    expect(!result.ok && result.message).toMatch(/^payload\.holdUntil/);
  });

  it.each([
    ['not a timestamp', 'tomorrow'],
    ['a local time without an offset', '2026-11-26T13:00:00'],
    ['a number', 1764158400000],
  ])('refuses %s', (_, holdUntil) => {
    expect(placed(holdUntil)).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
  });

  it('leaves v1 orders alone: absent or null is a firm reservation', () => {
    for (const holdUntil of [undefined, null]) {
      const result = placed(holdUntil);
      expect(result.ok).toBe(true);
      expect(result.ok && (result.event.payload as { holdUntil?: string }).holdUntil).toBeUndefined();
    }
  });
});
