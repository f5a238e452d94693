import { describe, expect, it } from 'vitest';
import { FpsLimiter } from './fps-limiter.js';

/** Feeds arrival times (ms) and returns those that passed. */
function passed(limiter: FpsLimiter, times: number[]): number[] {
  return times.filter((t) => limiter.take(t));
}

const every = (intervalMs: number, count: number, from = 0): number[] =>
  Array.from({ length: count }, (_, i) => from + i * intervalMs);

describe('FpsLimiter', () => {
  it('passes 10 of 30 frames a second from a 30 fps source at fps 10', () => {
    const out = passed(new FpsLimiter(10), every(1000 / 30, 300)); // 10 s
    expect(out.length).toBeGreaterThanOrEqual(99);
    expect(out.length).toBeLessThanOrEqual(101);
  });

  it('passes 25 of 30 frames a second at fps 25 (not a divisor)', () => {
    const out = passed(new FpsLimiter(25), every(1000 / 30, 300));
    expect(out.length).toBeGreaterThanOrEqual(248);
    expect(out.length).toBeLessThanOrEqual(251);
  });

  it('loses nothing from a camera at exactly the limit with jitter under one interval', () => {
    const times = every(100, 100).map((t, i) => t + (i % 2 === 0 ? 30 : -30));
    expect(passed(new FpsLimiter(10), times)).toHaveLength(100);
  });

  it('sends no burst after a pause: a 3 s gap owes nothing', () => {
    const limiter = new FpsLimiter(10);
    const before = passed(limiter, every(1000 / 30, 60)); // 2 s
    const after = passed(limiter, every(1000 / 30, 60, 5000)); // 2 s, after a 3 s gap
    // A limiter that paid back the gap would send ~30 frames at once on resume.
    expect(after.length).toBeLessThanOrEqual(21);
    expect(after.filter((t) => t < 5200).length).toBeLessThanOrEqual(3);
    expect(before.length + after.length).toBeLessThanOrEqual(42);
  });

  it('passes the very first frame', () => {
    expect(new FpsLimiter(1).take(123_456)).toBe(true);
  });
});
