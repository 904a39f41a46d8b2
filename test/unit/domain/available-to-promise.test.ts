import { availableToPromise, earliestPromise, type WarehousePromise } from '../../../src/domain/available-to-promise';
import { localDate as localDay, startOfLocalDay } from '../../../src/domain/calendar';

const today = '2026-12-01';

describe('availableToPromise', () => {
  test('covered by what is available: today, from stock', () => {
    expect(availableToPromise({ quantity: 5, today, available: 8, backordered: 0, incoming: [{ poId: 1, expectedDate: '2026-12-05', quantity: 10 }] })).toEqual(
      {
        date: today,
        sources: [{ type: 'ON_HAND', quantity: 5, date: today }],
      },
    );
  });

  test('exactly what is available is still today', () => {
    expect(availableToPromise({ quantity: 8, today, available: 8, backordered: 0, incoming: [] }).date).toBe(today);
  });

  test('beyond stock: stock first, then the earliest PO by expected date, not by poId', () => {
    // 3 on hand; POs: #7 due 12-10 (20), #9 due 12-04 (4). Need 6 = 3 stock + 3 from #9 -> 12-04.
    const result = availableToPromise({
      quantity: 6,
      today,
      available: 3,
      backordered: 0,
      incoming: [
        { poId: 7, expectedDate: '2026-12-10', quantity: 20 },
        { poId: 9, expectedDate: '2026-12-04', quantity: 4 },
      ],
    });
    expect(result).toEqual({
      date: '2026-12-04',
      sources: [
        { type: 'ON_HAND', quantity: 3, date: today },
        { type: 'PURCHASE_ORDER', poId: 9, quantity: 3, date: '2026-12-04' },
      ],
    });
  });

  test('spanning two POs: the date is the later one that completes it', () => {
    // 0 on hand; #9 due 12-04 brings 4, #7 due 12-10 brings 20. Need 10 = 4 + 6 -> 12-10.
    const result = availableToPromise({
      quantity: 10,
      today,
      available: 0,
      backordered: 0,
      incoming: [
        { poId: 7, expectedDate: '2026-12-10', quantity: 20 },
        { poId: 9, expectedDate: '2026-12-04', quantity: 4 },
      ],
    });
    expect(result.date).toBe('2026-12-10');
    expect(result.sources).toEqual([
      { type: 'PURCHASE_ORDER', poId: 9, quantity: 4, date: '2026-12-04' },
      { type: 'PURCHASE_ORDER', poId: 7, quantity: 6, date: '2026-12-10' },
    ]);
  });

  test('backorders are served first: from stock, then from the earliest PO', () => {
    // available 5, backordered 8: stock goes to backorders (5), 3 still owed.
    // PO #1 12-03 brings 4: 3 to backorders, 1 free. PO #2 12-08 brings 10.
    // Need 6: 1 from #1 and 5 from #2 -> 12-08.
    const result = availableToPromise({
      quantity: 6,
      today,
      available: 5,
      backordered: 8,
      incoming: [
        { poId: 1, expectedDate: '2026-12-03', quantity: 4 },
        { poId: 2, expectedDate: '2026-12-08', quantity: 10 },
      ],
    });
    expect(result).toEqual({
      date: '2026-12-08',
      sources: [
        { type: 'PURCHASE_ORDER', poId: 1, quantity: 1, date: '2026-12-03' },
        { type: 'PURCHASE_ORDER', poId: 2, quantity: 5, date: '2026-12-08' },
      ],
    });
  });

  test('not coverable: null, with what could be found', () => {
    const result = availableToPromise({ quantity: 50, today, available: 2, backordered: 0, incoming: [{ poId: 3, expectedDate: '2026-12-09', quantity: 10 }] });
    expect(result).toEqual({
      date: null,
      sources: [
        { type: 'ON_HAND', quantity: 2, date: today },
        { type: 'PURCHASE_ORDER', poId: 3, quantity: 10, date: '2026-12-09' },
      ],
    });
  });

  test('a late PO promises today, a PO without a date promises nothing', () => {
    const result = availableToPromise({
      quantity: 4,
      today,
      available: 0,
      backordered: 0,
      incoming: [
        { poId: 4, expectedDate: null, quantity: 100 },
        { poId: 5, expectedDate: '2026-11-20', quantity: 4 },
      ],
    });
    expect(result).toEqual({ date: today, sources: [{ type: 'PURCHASE_ORDER', poId: 5, quantity: 4, date: today }] });
  });

  test('same expected date: lower poId first', () => {
    const result = availableToPromise({
      quantity: 3,
      today,
      available: 0,
      backordered: 0,
      incoming: [
        { poId: 12, expectedDate: '2026-12-05', quantity: 5 },
        { poId: 11, expectedDate: '2026-12-05', quantity: 5 },
      ],
    });
    expect(result.sources).toEqual([{ type: 'PURCHASE_ORDER', poId: 11, quantity: 3, date: '2026-12-05' }]);
  });
});

describe('days in warehouse time zones', () => {
  test("today is the warehouse's own day", () => {
    const now = new Date('2026-12-01T11:30:00Z'); // 00:30 on 12-02 in Auckland (UTC+13 in summer)
    expect(localDay(now, 'Pacific/Auckland')).toBe('2026-12-02');
    expect(localDay(now, 'America/Los_Angeles')).toBe('2026-12-01');
  });

  test('a day starts at local midnight', () => {
    expect(startOfLocalDay('2026-12-02', 'Pacific/Auckland').toISOString()).toBe('2026-12-01T11:00:00.000Z');
    expect(startOfLocalDay('2026-12-02', 'Europe/Berlin').toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(startOfLocalDay('2026-07-02', 'Europe/Berlin').toISOString()).toBe('2026-07-01T22:00:00.000Z');
    expect(startOfLocalDay('2026-12-02', 'UTC').toISOString()).toBe('2026-12-02T00:00:00.000Z');
    // Berlin's change to summer time happens at 02:00, the day still starts at 00:00 CET.
    expect(startOfLocalDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  test('earliest promise: compared as instants, lowest id on a tie, a null date loses', () => {
    const at = (warehouseId: number, date: string | null, zone: string): WarehousePromise => ({
      warehouseId,
      date,
      sources: [],
      startsAt: date ? startOfLocalDay(date, zone) : null,
    });
    // 12-05 in Auckland starts 11 hours before 12-05 in UTC.
    expect(earliestPromise([at(1, '2026-12-05', 'UTC'), at(2, '2026-12-05', 'Pacific/Auckland')])!.warehouseId).toBe(2);
    expect(earliestPromise([at(3, '2026-12-05', 'UTC'), at(2, '2026-12-05', 'UTC')])!.warehouseId).toBe(2);
    expect(earliestPromise([at(1, null, 'UTC'), at(2, '2027-01-01', 'UTC')])!.warehouseId).toBe(2);
    expect(earliestPromise([at(4, null, 'UTC'), at(3, null, 'UTC')])!.warehouseId).toBe(3);
    expect(earliestPromise([])).toBeNull();
  });
});
