import { DailySchedule, nextRunAt } from '../../src/replenishment/schedule';
import { createLogger } from '../../src/logger';

describe('nextRunAt (UTC time of day)', () => {
  it('is later today when the time is still ahead, else tomorrow', () => {
    expect(nextRunAt(new Date('2026-11-26T01:00:00Z'), '02:00').toISOString()).toBe('2026-11-26T02:00:00.000Z');
    expect(nextRunAt(new Date('2026-11-26T02:30:00Z'), '02:00').toISOString()).toBe('2026-11-27T02:00:00.000Z');
  });

  it('at exactly the time, is the next day (the slot just run is not run again)', () => {
    expect(nextRunAt(new Date('2026-11-26T02:00:00Z'), '02:00').toISOString()).toBe('2026-11-27T02:00:00.000Z');
  });

  it('crosses month and year ends', () => {
    expect(nextRunAt(new Date('2026-12-31T23:59:00Z'), '00:00').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('DailySchedule', () => {
  const logger = createLogger('silent');
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-26T01:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('runs at the next HH:MM, then once a day', async () => {
    const runs: string[] = [];
    const schedule = new DailySchedule({ at: '02:00', logger, run: async () => void runs.push(new Date().toISOString()) });
    schedule.start();
    await jest.advanceTimersByTimeAsync(59 * 60_000);
    expect(runs).toEqual([]);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toEqual(['2026-11-26T02:00:00.000Z']);
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(runs).toEqual(['2026-11-26T02:00:00.000Z', '2026-11-27T02:00:00.000Z']);
    await schedule.stop();
  });

  it('keeps its schedule after a failed run', async () => {
    let calls = 0;
    const failing = new DailySchedule({ at: '02:00', logger, run: () => (calls++, Promise.reject(new Error('db down'))) });
    failing.start();
    await jest.advanceTimersByTimeAsync(25 * 3_600_000);
    expect(calls).toBe(2);
    await failing.stop();
  });

  it('stop clears the timer: nothing runs afterwards', async () => {
    const run = jest.fn(async () => {});
    const schedule = new DailySchedule({ at: '02:00', logger, run });
    schedule.start();
    await schedule.stop();
    await jest.advanceTimersByTimeAsync(48 * 3_600_000);
    expect(run).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stop waits for a run in progress and does not re-arm', async () => {
    let finish!: () => void;
    const schedule = new DailySchedule({ at: '02:00', logger, run: () => new Promise<void>((resolve) => (finish = resolve)) });
    schedule.start();
    await jest.advanceTimersByTimeAsync(3_600_000);
    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('with a pinned clock (tests), arms for the next slot after the one just run', async () => {
    const runs: number[] = [];
    const pinned = new Date('2026-11-26T01:00:00Z');
    const schedule = new DailySchedule({ at: '02:00', logger, clock: () => pinned, run: async () => void runs.push(Date.now()) });
    schedule.start();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(runs).toHaveLength(1); // not a tight loop on the same slot
    await schedule.stop();
  });
});
