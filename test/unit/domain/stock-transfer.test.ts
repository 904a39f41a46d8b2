import { adjustmentReference, decideTransfer, type TransferRequest } from '../../../src/domain/stock-operations';

const EVENT_ID = '7d7f3f1e-0d52-4b8a-9d3e-1f2a3b4c5d6e';
// A 10 cm cube of 500 g: 1000 cm3 per unit.
const box = { unitWeightGrams: 500, dimensions: { length: 100, width: 100, height: 100 } };

describe('adjustmentReference', () => {
  it('keeps a short reason as it is, without surrounding blanks', () => {
    expect(adjustmentReference('  DAMAGED ', EVENT_ID)).toBe('DAMAGED');
  });

  it('cuts a long reason to 64 characters without splitting an emoji', () => {
    expect(adjustmentReference('x'.repeat(200), EVENT_ID)).toBe('x'.repeat(64));
    const reference = adjustmentReference(`${'y'.repeat(63)}📦📦`, EVENT_ID);
    expect(Array.from(reference)).toHaveLength(64);
    expect(reference.endsWith('📦')).toBe(true);
  });

  it('falls back to the eventId for a blank reason', () => {
    expect(adjustmentReference('', EVENT_ID)).toBe(EVENT_ID);
    expect(adjustmentReference('   ', EVENT_ID)).toBe(EVENT_ID);
  });
});

describe('decideTransfer', () => {
  function request(overrides: Partial<TransferRequest> = {}): TransferRequest {
    return {
      product: box,
      quantity: 5,
      from: { locationId: 3, warehouseId: 1, stock: { onHand: 20, reserved: 5 } },
      to: { locationId: 1, warehouseId: 1, maxWeightKg: 10, maxVolumeCubicCm: 1_000_000, usedWeightGrams: 5000, usedVolumeCubicCm: 0 },
      ...overrides,
    };
  }

  it('moves unreserved units into a location with room', () => {
    expect(decideTransfer(request())).toEqual({ ok: true });
  });

  it('moves every unreserved unit and fills the destination exactly', () => {
    expect(decideTransfer(request({ quantity: 10, from: { locationId: 3, warehouseId: 1, stock: { onHand: 15, reserved: 5 } } }))).toEqual({ ok: true });
  });

  it('refuses to move reserved units, naming the source', () => {
    expect(decideTransfer(request({ quantity: 16 }))).toEqual({
      ok: false,
      reason: 'INSUFFICIENT_UNRESERVED_STOCK',
      locationId: 3,
      detail: 'cannot move 16: only 15 of 20 on hand are unreserved',
    });
  });

  it('refuses when the destination cannot take the weight, naming the destination', () => {
    const decision = decideTransfer(request({ quantity: 11 }));
    expect(decision).toMatchObject({ ok: false, reason: 'NO_PUTAWAY_CAPACITY', locationId: 1 });
  });

  it('refuses when the destination cannot take the volume', () => {
    const full = { locationId: 1, warehouseId: 1, maxWeightKg: 1000, maxVolumeCubicCm: 10_000, usedWeightGrams: 0, usedVolumeCubicCm: 8_000 };
    expect(decideTransfer(request({ quantity: 3, to: full }))).toMatchObject({ ok: false, reason: 'NO_PUTAWAY_CAPACITY', locationId: 1 });
    expect(decideTransfer(request({ quantity: 2, to: full }))).toEqual({ ok: true });
  });

  it('refuses a move between warehouses before looking at stock or room', () => {
    const elsewhere = { locationId: 7, warehouseId: 2, maxWeightKg: 0, maxVolumeCubicCm: 0, usedWeightGrams: 0, usedVolumeCubicCm: 0 };
    expect(decideTransfer(request({ to: elsewhere }))).toMatchObject({ ok: false, reason: 'DIFFERENT_WAREHOUSE', locationId: 7 });
  });

  it('refuses a move to the location it comes from', () => {
    const same = { locationId: 3, warehouseId: 1, maxWeightKg: 1000, maxVolumeCubicCm: 1_000_000, usedWeightGrams: 0, usedVolumeCubicCm: 0 };
    expect(decideTransfer(request({ to: same }))).toMatchObject({ ok: false, reason: 'SAME_LOCATION', locationId: 3 });
  });
});
