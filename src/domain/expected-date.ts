/**
 * The expected delivery date of a new PO: today's calendar date in the
 * warehouse's own IANA time zone plus the product's lead time in calendar
 * days, as 'YYYY-MM-DD'.
 *
 * "Today" must come from the warehouse's zone, not the server's: at 00:30 in
 * Auckland it is still yesterday in UTC. The day count is then added to the
 * bare calendar date through Date.UTC, where every day has 24 hours, so a
 * daylight-saving change inside the lead time cannot shift the result.
 * An unknown time zone throws (RangeError from Intl): that is bad master
 * data, not a business outcome.
 */
export function expectedDate(now: Date, timeZone: string, leadTimeDays: number): string {
  const { year, month, day } = calendarDateIn(now, timeZone);
  return new Date(Date.UTC(year, month - 1, day + leadTimeDays)).toISOString().slice(0, 10);
}

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
