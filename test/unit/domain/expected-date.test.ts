import { calendarDateIn } from '../../../src/domain/calendar';
import { expectedDate } from '../../../src/domain/replenishment';

// 11:30 UTC on the 26th is already 00:30 on the 27th in Auckland (NZDT, UTC+13), 03:30 on the 26th in Los Angeles.
const lateUtc = new Date('2026-11-26T11:30:00Z');
// 07:30 UTC on the 26th is still 23:30 on the 25th in Los Angeles (PST, UTC-8), 20:30 on the 26th in Auckland.
const earlyUtc = new Date('2026-11-26T07:30:00Z');

describe('expectedDate', () => {
  it("takes today from the warehouse's own time zone", () => {
    expect(expectedDate(lateUtc, 'Pacific/Auckland', 0)).toBe('2026-11-27');
    expect(expectedDate(lateUtc, 'America/Los_Angeles', 0)).toBe('2026-11-26');
    expect(expectedDate(earlyUtc, 'America/Los_Angeles', 0)).toBe('2026-11-25');
    expect(expectedDate(earlyUtc, 'Pacific/Auckland', 0)).toBe('2026-11-26');
  });

  it('adds the lead time in calendar days', () => {
    expect(expectedDate(lateUtc, 'Pacific/Auckland', 5)).toBe('2026-12-02');
    expect(expectedDate(earlyUtc, 'America/Los_Angeles', 7)).toBe('2026-12-02');
  });

  it('rolls over months, years and leap days', () => {
    expect(expectedDate(new Date('2026-12-31T20:00:00Z'), 'Pacific/Auckland', 0)).toBe('2027-01-01');
    expect(expectedDate(new Date('2026-12-31T20:00:00Z'), 'America/Los_Angeles', 1)).toBe('2027-01-01');
    expect(expectedDate(new Date('2028-02-28T12:00:00Z'), 'UTC', 1)).toBe('2028-02-29');
  });

  it('is not shifted by a daylight-saving change inside the lead time', () => {
    // Berlin springs forward on 2026-03-29 (a 23-hour day) and falls back on 2026-10-25 (25 hours).
    // 23:30 local on the 28th: adding 24 hours to the instant would give 00:30 on the 30th.
    expect(expectedDate(new Date('2026-03-28T22:30:00Z'), 'Europe/Berlin', 1)).toBe('2026-03-29');
    expect(expectedDate(new Date('2026-03-28T22:30:00Z'), 'Europe/Berlin', 2)).toBe('2026-03-30');
    // 00:30 local on the 25th (CEST, UTC+2): adding 24 hours would give 23:30 on the 25th.
    expect(expectedDate(new Date('2026-10-24T22:30:00Z'), 'Europe/Berlin', 1)).toBe('2026-10-26');
  });

  it('throws on a time zone that does not exist (bad master data)', () => {
    expect(() => expectedDate(lateUtc, 'Mars/Olympus_Mons', 1)).toThrow(RangeError);
  });
});

describe('calendarDateIn', () => {
  it('gives numeric year, month and day in the zone', () => {
    expect(calendarDateIn(lateUtc, 'Pacific/Auckland')).toEqual({ year: 2026, month: 11, day: 27 });
  });
});
