import { describe, expect, it } from 'vitest';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

/** A limiter on a hand-moved clock (ms). */
function limiter(options: Omit<RateLimiterOptions, 'now'>): { rl: RateLimiter; at: (ms: number) => void } {
  let t = 0;
  const rl = new RateLimiter({ ...options, now: () => t });
  return { rl, at: (ms) => (t = ms) };
}

/** How many `take`s succeed in a row before the first refusal (at most `limit`). */
function takeAll(rl: RateLimiter, key: string, limit = 1000): number {
  let n = 0;
  while (n < limit && rl.take(key)) n++;
  return n;
}

describe('RateLimiter', () => {
  it('allows the burst, then refuses', () => {
    const { rl } = limiter({ ratePerSecond: 10, burst: 5, maxKeys: 10 });
    expect([1, 2, 3, 4, 5, 6].map(() => rl.take('cam'))).toEqual([true, true, true, true, true, false]);
    expect(rl.take('cam')).toBe(false);
  });

  it('defaults the burst to one second of the rate', () => {
    const { rl } = limiter({ ratePerSecond: 60, maxKeys: 10 });
    expect(takeAll(rl, 'cam')).toBe(60);
  });

  it('refills at the rate', () => {
    const { rl, at } = limiter({ ratePerSecond: 10, burst: 5, maxKeys: 10 });
    expect(takeAll(rl, 'cam')).toBe(5);
    at(99);
    expect(rl.take('cam')).toBe(false); // 0.99 tokens
    at(100);
    expect(rl.take('cam')).toBe(true); // one token per 100 ms
    expect(rl.take('cam')).toBe(false);
    at(350);
    expect(takeAll(rl, 'cam')).toBe(2); // 2.5 tokens
    at(400);
    expect(takeAll(rl, 'cam')).toBe(1); // 0.5 left + 0.5 refilled
  });

  it('never holds more than the burst, however long the key was idle', () => {
    const { rl, at } = limiter({ ratePerSecond: 10, burst: 5, maxKeys: 10 });
    expect(takeAll(rl, 'cam')).toBe(5);
    at(60_000);
    expect(takeAll(rl, 'cam')).toBe(5);
  });

  it('keeps keys independent', () => {
    const { rl } = limiter({ ratePerSecond: 10, burst: 3, maxKeys: 10 });
    expect(takeAll(rl, 'a')).toBe(3);
    expect(rl.take('a')).toBe(false);
    expect(takeAll(rl, 'b')).toBe(3);
    expect(rl.take('a')).toBe(false);
    expect(rl.size).toBe(2);
  });

  it('never tracks more than maxKeys keys', () => {
    const { rl, at } = limiter({ ratePerSecond: 1, burst: 1, maxKeys: 3 });
    for (let i = 0; i < 20; i++) {
      at(i); // nobody is idle long enough to be full again
      expect(rl.take(`k${i}`)).toBe(true);
      expect(rl.size).toBeLessThanOrEqual(3);
    }
    expect(rl.size).toBe(3);
  });

  it('forgets idle (refilled) keys first when full', () => {
    const { rl, at } = limiter({ ratePerSecond: 1, burst: 1, maxKeys: 2 });
    expect(rl.take('old')).toBe(true); // t=0
    at(900);
    expect(rl.take('busy')).toBe(true); // exhausted until t=1900
    at(1000);
    expect(rl.take('new')).toBe(true); // 'old' has been idle 1000 ms = a full refill: it goes
    expect(rl.size).toBe(2);
    expect(rl.take('busy')).toBe(false); // still tracked, still exhausted
  });

  it('forgets the key tracked longest when none is idle', () => {
    const { rl, at } = limiter({ ratePerSecond: 1, burst: 1, maxKeys: 2 });
    expect(rl.take('first')).toBe(true);
    at(10);
    expect(rl.take('second')).toBe(true);
    at(20);
    expect(rl.take('third')).toBe(true); // 'first' goes
    expect(rl.size).toBe(2);
    expect(rl.take('second')).toBe(false); // kept: still exhausted
    expect(rl.take('third')).toBe(false); // kept: still exhausted
    expect(rl.take('first')).toBe(true); // forgotten: starts again with a full bucket
  });
});
