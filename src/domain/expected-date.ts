import { addDays, localDate } from './calendar';

/**
 * The expected delivery date of a new PO: today's calendar date in the
 * warehouse's own IANA time zone plus the product's lead time in calendar
 * days, as 'YYYY-MM-DD'. "Today" must come from the warehouse's zone, not the
 * server's: at 00:30 in Auckland it is still yesterday in UTC.
 */
export function expectedDate(now: Date, timeZone: string, leadTimeDays: number): string {
  return addDays(localDate(now, timeZone), leadTimeDays);
}
