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

/** How far the zone's wall clock is ahead of UTC at that instant, in milliseconds. */
function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a calendar day starts in a time zone (local midnight). Days in
 * different zones are compared by these instants: "2026-12-02 in Auckland"
 * begins before "2026-12-02 in Berlin". Two passes, because the offset at the
 * UTC-midnight guess can differ from the one at local midnight across a
 * daylight-saving change; a midnight skipped by a change (a zone that springs
 * forward at 00:00) resolves to the first instant of that day.
 */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, date);
  let instant = utcMidnight - zoneOffsetMs(utcMidnight, timeZone);
  instant = utcMidnight - zoneOffsetMs(instant, timeZone);
  return new Date(instant);
}

function isoDay(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}
