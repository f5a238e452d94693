import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff.js';

const policy = { initialMs: 500, maxMs: 4000 };

describe('backoffDelay', () => {
  it.each([
    { attempt: 0, random: 0, expected: 500 },
    { attempt: 1, random: 0, expected: 1000 },
    { attempt: 2, random: 0, expected: 2000 },
    { attempt: 3, random: 0, expected: 4000 },
    { attempt: 4, random: 0, expected: 4000 },
    { attempt: 1000, random: 0, expected: 4000 },
    { attempt: 0, random: 1, expected: 375 },
    { attempt: 3, random: 1, expected: 3000 },
    { attempt: 3, random: 0.5, expected: 3500 },
    { attempt: -1, random: 0, expected: 500 },
  ])('attempt $attempt with random() = $random -> $expected ms', ({ attempt, random, expected }) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(expected);
  });

  it('jitter only shortens: never above the cap, never below (1 - jitter) of the step', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      for (const r of [0, 0.1, 0.5, 0.9, 0.999999]) {
        const d = backoffDelay(attempt, policy, () => r);
        const step = Math.min(4000, 500 * 2 ** attempt);
        expect(d).toBeLessThanOrEqual(step);
        expect(d).toBeGreaterThanOrEqual(Math.floor(step * 0.75));
      }
    }
  });

  it('honours factor and jitter', () => {
    expect(backoffDelay(2, { initialMs: 100, maxMs: 10_000, factor: 3, jitter: 0 }, () => 0.7)).toBe(900);
    expect(backoffDelay(0, { initialMs: 1000, maxMs: 1000, jitter: 0.5 }, () => 1)).toBe(500);
  });
});

describe('Backoff', () => {
  it('counts attempts and starts over after reset()', () => {
    const b = new Backoff(policy, () => 0);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(b.attempts).toBe(5);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(500);
  });
});
