import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.3 };

  it.each([
    { attempt: 0, expected: 500 },
    { attempt: 1, expected: 1000 },
    { attempt: 3, expected: 4000 },
    { attempt: 5, expected: 10_000 }, // 16000 capped
    { attempt: 50, expected: 10_000 },
    { attempt: -1, expected: 500 },
  ])('attempt $attempt without spread -> $expected ms', ({ attempt, expected }) => {
    expect(backoffDelay(attempt, policy, () => 0.5)).toBe(expected);
  });

  it('spreads by the jitter fraction both ways', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(700);
    expect(backoffDelay(1, policy, () => 1)).toBe(1300);
    expect(backoffDelay(5, policy, () => 1)).toBe(13_000);
  });

  it('defaults to doubling with 30 % jitter', () => {
    expect(backoffDelay(2, { initialMs: 100, maxMs: 1000 }, () => 0)).toBe(280);
  });
});
