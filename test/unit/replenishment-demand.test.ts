import { dailySeries, demandWindow } from '../../src/replenishment/demand-history';
import { addDays, localDate } from '../../src/domain/calendar';
import { dailyScanCauseId } from '../../src/replenishment/daily-scan';
import { demandStatistics, recommendedReorderPoint } from '../../src/domain/replenishment';

describe('replenishment calendar days', () => {
  it('takes "today" from the warehouse zone, not UTC', () => {
    const now = new Date('2026-11-26T11:30:00Z');
    expect(localDate(now, 'Pacific/Auckland')).toBe('2026-11-27'); // NZDT, UTC+13: 00:30 next day
    expect(localDate(now, 'America/Los_Angeles')).toBe('2026-11-26'); // PST, UTC-8: 03:30
    expect(localDate(now, 'UTC')).toBe('2026-11-26');
  });

  it('adds calendar days across month, year and daylight-saving changes', () => {
    expect(addDays('2026-11-27', 5)).toBe('2026-12-02');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30'); // Europe changes clocks on 29 March 2026
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('uses the whole days before today as the window, today excluded', () => {
    expect(demandWindow('2026-11-26', 28)).toEqual({ from: '2026-10-29', to: '2026-11-26' });
  });
});

describe('dailySeries', () => {
  const window = { from: '2026-11-22', to: '2026-11-26' };

  it('puts a zero on every day without shipments, oldest day first', () => {
    const shipped = [
      { productId: 1, day: '2026-11-24', shipped: 6 },
      { productId: 2, day: '2026-11-23', shipped: 9 }, // another product
      { productId: 1, day: '2026-11-26', shipped: 50 }, // today: outside the window
    ];
    expect(dailySeries(shipped, 1, window)).toEqual([0, 0, 6, 0]);
    expect(dailySeries([], 1, window)).toEqual([0, 0, 0, 0]);
  });
});

describe('recommended reorder point from a shipment history (hand-computed)', () => {
  it('4 days [0, 0, 6, 0], lead time 4, 95%', () => {
    // mean 1.5; sample sd: squares 1.5^2 * 3 + 4.5^2 = 27, 27 / 3 = 9, sd 3.
    // 1.5 * 4 + 1.6448536 * 3 * sqrt(4) = 6 + 9.869 = 15.869 -> 16.
    const stats = demandStatistics(dailySeries([{ productId: 1, day: '2026-11-24', shipped: 6 }], 1, { from: '2026-11-22', to: '2026-11-26' }));
    expect(stats).toEqual({ days: 4, mean: 1.5, standardDeviation: 3 });
    expect(recommendedReorderPoint(stats.mean, stats.standardDeviation, 4, 0.95)).toBe(16);
  });

  it("28 days alternating 4 and 0 (the daily-scan integration test's FAST), lead time 5, 95%", () => {
    // mean 2; every day is 2 away from it: sd = sqrt(28 * 4 / 27) = sqrt(4.148148) = 2.0367003.
    // 2 * 5 + 1.6448536 * 2.0367003 * sqrt(5) = 10 + 7.491 = 17.491 -> 18.
    const series = Array.from({ length: 28 }, (_, i) => (i % 2 === 0 ? 4 : 0));
    const stats = demandStatistics(series);
    expect(stats.mean).toBe(2);
    expect(stats.standardDeviation).toBeCloseTo(2.0367003, 6);
    expect(recommendedReorderPoint(stats.mean, stats.standardDeviation, 5, 0.95)).toBe(18);
    // 99%: 10 + 2.3263479 * 2.0367003 * 2.236068 = 10 + 10.595 -> 21.
    expect(recommendedReorderPoint(stats.mean, stats.standardDeviation, 5, 0.99)).toBe(21);
  });
});

describe('dailyScanCauseId', () => {
  it('is one id per warehouse and day, so a rerun reuses it', () => {
    expect(dailyScanCauseId(1, '2026-11-26')).toBe(dailyScanCauseId(1, '2026-11-26'));
    expect(dailyScanCauseId(1, '2026-11-26')).not.toBe(dailyScanCauseId(2, '2026-11-26'));
    expect(dailyScanCauseId(1, '2026-11-26')).not.toBe(dailyScanCauseId(1, '2026-11-27'));
    expect(dailyScanCauseId(1, '2026-11-26')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
