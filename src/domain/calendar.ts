/**
 * Calendar days ('YYYY-MM-DD') in a warehouse's own IANA time zone: the one
 * place that turns instants into local days and counts days. Days are added
 * to the bare calendar date through Date.UTC, where every day has 24 hours,
 * so a daylight-saving change can never shift a result. An unknown time zone
 * throws (RangeError from Intl): that is bad master data, not a business outcome.
 */

/**
 * Reads the parts rather than parsing a formatted string: en-CA gives
 * YYYY-MM-DD today, but a locale's format is ICU data that has changed
 * before; the numeric parts do not depend on it.
 */
export function calendarDateIn(now: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: 'year' | 'month' | 'day') => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** Calendar date 'YYYY-MM-DD' of `now` in an IANA time zone. */
export function localDate(now: Date, timeZone: string): string {
  const { year, month, day } = calendarDateIn(now, timeZone);
  return isoDay(year, month, day);
}

/** 'YYYY-MM-DD' plus n calendar days. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return isoDay(year, month, day + days);
}

function isoDay(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}
