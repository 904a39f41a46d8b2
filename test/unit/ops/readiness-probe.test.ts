import { CachedCheck, type CheckResult } from '../../../src/ops/health';

describe('CachedCheck: the readiness database probe behind /readyz', () => {
  function probe() {
    const calls: ((r: CheckResult) => void)[] = [];
    const run = () => new Promise<CheckResult>((resolve) => calls.push(resolve));
    return { calls, run };
  }

  it('one probe in flight however many ask at once, and all get its answer', async () => {
    const { calls, run } = probe();
    let now = 0;
    const check = new CachedCheck(run, 1_000, () => now);
    const answers = Promise.all(Array.from({ length: 40 }, () => check.check()));
    expect(calls).toHaveLength(1);
    calls[0]!({ ok: true });
    expect(await answers).toEqual(Array(40).fill({ ok: true }));
    now = 999;
    expect(await check.check()).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
  });

  it('probes again once the answer is a second old', async () => {
    const { calls, run } = probe();
    let now = 0;
    const check = new CachedCheck(run, 1_000, () => now);
    const first = check.check();
    calls[0]!({ ok: true });
    await first;
    now = 1_000;
    const second = check.check();
    expect(calls).toHaveLength(2);
    calls[1]!({ ok: false, detail: 'unreachable' });
    expect(await second).toEqual({ ok: false, detail: 'unreachable' });
  });

  it('a probe that throws is an answer too (not ready), and the next one runs after the cache time', async () => {
    let now = 0;
    let n = 0;
    const check = new CachedCheck(
      async () => {
        n++;
        throw new Error('boom');
      },
      1_000,
      () => now,
    );
    expect(await check.check()).toEqual({ ok: false, detail: 'check failed' });
    expect(await check.check()).toEqual({ ok: false, detail: 'check failed' });
    now = 2_000;
    await check.check();
    expect(n).toBe(2);
  });
});
