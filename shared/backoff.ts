/** How retries space out: exponential growth to a cap, with random spread. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Largest delay, ms. */
  readonly maxMs: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /**
   * Spread as a fraction of the delay: 0.3 gives delay x [0.7, 1.3]. Spreads
   * the reconnects of many clients after a server restart. Default 0.3.
   */
  readonly jitter?: number;
}

/**
 * The delay before retry number `attempt` (0 for the first), in ms. Pure but
 * for `random`, which tests may fix.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const factor = policy.factor ?? 2;
  const jitter = policy.jitter ?? 0.3;
  const base = Math.min(policy.maxMs, policy.initialMs * factor ** Math.max(0, attempt));
  return Math.round(base * (1 + jitter * (2 * random() - 1)));
}
