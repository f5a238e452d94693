/**
 * Test support shared by several packages' suites (never imported by product code).
 *
 * A deterministic PRNG (mulberry32): uniform numbers in [0, 1) from a seed, so
 * a test that generates its inputs fails the same way every time it fails.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
