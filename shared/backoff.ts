/** Exponential backoff with a cap and jitter: capture's restarts and retries, the player's reconnects. */
export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Largest delay, ms; jitter never goes above it. */
  readonly maxMs: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /**
   * Fraction of the delay taken off at random: 0.25 gives delay x [0.75, 1].
   * Spreads the restarts of many cameras after a shared outage. Default 0.25.
   */
  readonly jitter?: number;
}

/**
 * Delay before retry number `attempt` (0 for the first), in ms:
 * `min(maxMs, initialMs * factor^attempt)`, shortened by up to `jitter` of itself.
 * Pure but for `random`, which tests fix. Only shortens, so the cap bounds how
 * long a recovered camera waits for its next attempt.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.25));
  const exponent = Math.min(Math.max(0, attempt), 64);
  const base = Math.min(options.maxMs, options.initialMs * factor ** exponent);
  return Math.round(base * (1 - jitter * random()));
}

/** Counts attempts and hands out their delays; `reset()` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call counts one attempt. */
  next(): number {
    return backoffDelay(this.attempt++, this.options, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}
