/** Options of a RateLimiter. */
export interface RateLimiterOptions {
  /** Sustained events per second per key. */
  readonly ratePerSecond: number;
  /** Bucket size: events allowed in a burst. Default: one second's worth. */
  readonly burst?: number;
  /** Keys tracked at most; idle keys are forgotten first. */
  readonly maxKeys: number;
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** A token bucket per key (here: per stream), with a bounded number of keys. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.burst = options.burst ?? options.ratePerSecond;
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.options.maxKeys) this.forgetIdle(now);
      bucket = { tokens: this.burst, updated: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(
        this.burst,
        bucket.tokens + ((now - bucket.updated) * this.options.ratePerSecond) / 1000,
      );
      bucket.updated = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  // A bucket idle long enough to be full again carries no information: dropping
  // it changes nothing. If none is, the key tracked longest goes.
  private forgetIdle(now: number): void {
    const refillMs = (this.burst * 1000) / this.options.ratePerSecond;
    for (const [key, b] of this.buckets) {
      if (now - b.updated >= refillMs) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.options.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
