import { describe, expect, it } from 'vitest';
import { SlicedFanout } from './sliced-fanout.js';

/** A fan-out over members 0..n-1 with a clock that advances `msPerDelivery` per delivery. */
function setup(msPerDelivery: number, sliceMs = 10) {
  let clock = 0;
  const deferred: Array<() => void> = [];
  const log: string[] = [];
  const slices: Array<[string, number]> = [];
  const fan = new SlicedFanout<number, string>(
    {
      deliver: (m, f) => {
        clock += msPerDelivery;
        log.push(`${f}->${m}`);
      },
      superseded: (m, f) => log.push(`${f} superseded for ${m}`),
      sliceDone: (f, count) => slices.push([f, count]),
    },
    { sliceMs, now: () => clock, defer: (fn) => deferred.push(fn) },
  );
  const runDeferred = (): void => {
    const fn = deferred.shift();
    if (!fn) throw new Error('nothing deferred');
    fn();
  };
  return { fan, log, slices, deferred, runDeferred };
}

const members = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('SlicedFanout', () => {
  it('delivers to everyone at once when the work fits in a slice', () => {
    const { fan, log, slices, deferred } = setup(0);
    fan.publish('f1', members(100));
    expect(log).toHaveLength(100);
    expect(slices).toEqual([['f1', 100]]);
    expect(deferred).toHaveLength(0);
    expect(fan.waiting).toBe(0);
  });

  it('yields after sliceMs and finishes the pass in later slices', () => {
    const { fan, log, slices, deferred, runDeferred } = setup(1, 10);
    fan.publish('f1', members(40));
    // The clock is read every 8 deliveries: 8 ms < 10, 16 ms >= 10.
    expect(log).toHaveLength(16);
    expect(deferred).toHaveLength(1);
    runDeferred();
    runDeferred();
    expect(log).toEqual(members(40).map((m) => `f1->${m}`));
    expect(slices).toEqual([
      ['f1', 16],
      ['f1', 16],
      ['f1', 8],
    ]);
    expect(deferred).toHaveLength(0);
  });

  it('gives waiting members the newer frame in their place, and counts the older as superseded', () => {
    const { fan, log, deferred, runDeferred } = setup(1, 4);
    fan.publish('f1', members(12)); // 0..7 get f1; 8..11 wait
    log.length = 0;
    fan.publish('f2', members(12));
    expect(log.slice(0, 4)).toEqual([8, 9, 10, 11].map((m) => `f1 superseded for ${m}`));
    // Those who waited go first, then the rest in order.
    expect(log.slice(4, 12)).toEqual([8, 9, 10, 11, 0, 1, 2, 3].map((m) => `f2->${m}`));
    runDeferred(); // one continuation serves both passes
    expect(deferred).toHaveLength(0);
    expect(log.filter((l) => l.startsWith('f2->'))).toHaveLength(12);
    expect(log.filter((l) => l.startsWith('f1->'))).toHaveLength(0);
  });

  it('skips a member removed while it waited', () => {
    const { fan, log, runDeferred } = setup(1, 1);
    fan.publish('f1', members(16));
    fan.remove(12);
    runDeferred();
    expect(log).toHaveLength(15);
    expect(log).not.toContain('f1->12');
  });

  it('does nothing for no members, and holds no frame after a pass', () => {
    const { fan, slices, deferred } = setup(0);
    fan.publish('f1', []);
    expect(slices).toEqual([]);
    expect(deferred).toHaveLength(0);
    expect(fan.waiting).toBe(0);
  });
});
