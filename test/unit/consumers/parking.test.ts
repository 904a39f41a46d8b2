import { parkedAhead, ownParkedRows } from '../../../consumers/pipeline/parking';
import type { ValidEvent } from '../../../consumers/pipeline/apply-events';
import type { ParkedDeadLetter } from '../../../src/db/dead-letters';

/** The per-key order rule while an event is parked (docs/decisions.md, "Parked events"). */
describe('parkedAhead', () => {
  const event = (eventId: string, key: string, partition: number, offset: number) =>
    ({ envelope: { eventId }, record: { topic: 'orders', partition, message: { key: Buffer.from(key), offset: String(offset) } } }) as unknown as ValidEvent;
  const parked = (eventId: string, key: string, partition: number, offset: number, id = 1n): ParkedDeadLetter => ({
    deadLetterId: id,
    eventId,
    key,
    partition,
    offset: BigInt(offset),
  });

  it('holds back a later event of the key, not an earlier one, not another key', () => {
    const rows = [parked('p', 'K', 0, 10)];
    expect(parkedAhead(rows, event('e', 'K', 0, 11))).toBe(rows[0]);
    expect(parkedAhead(rows, event('e', 'K', 0, 9))).toBeNull();
    expect(parkedAhead(rows, event('e', 'L', 0, 11))).toBeNull();
  });

  it('lets the parked event itself through, and a copy published again keeps its first place', () => {
    // p parked at 10, e held back at 11; p published again lands at 50: it waits behind nothing.
    const rows = [parked('p', 'K', 0, 10, 1n), parked('e', 'K', 0, 11, 2n)];
    expect(parkedAhead(rows, event('p', 'K', 0, 50))).toBeNull();
    expect(ownParkedRows(rows, event('p', 'K', 0, 50))).toEqual([1n]);
    // e published again before p was applied: still behind p.
    expect(parkedAhead(rows, event('e', 'K', 0, 51))).toBe(rows[0]);
  });

  it('holds back an event of the key on another partition whatever its offset (partitions were changed)', () => {
    const rows = [parked('p', 'K', 1, 10)];
    expect(parkedAhead(rows, event('e', 'K', 0, 3))).toBe(rows[0]);
  });
});
