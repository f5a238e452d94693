/**
 * Frame-rate limit for pass-through, where FFmpeg copies JPEGs and cannot
 * filter: a GCRA (virtual scheduling) on arrival times. A frame passes if it
 * is no earlier than `tolerance` before its theoretical time; each pass moves
 * that time one interval on from max(itself, now). Long-run rate is at most
 * `fps`, including rates that do not divide the camera's (30 -> 25); a camera
 * at exactly `fps` with arrival jitter under one interval loses nothing; after
 * a pause nothing is owed: at most two frames pass back to back (real frames,
 * never copies), then the rate holds.
 */
export class FpsLimiter {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private tat = -Infinity;

  constructor(fps: number, tolerance = 1) {
    this.intervalMs = 1000 / fps;
    this.toleranceMs = this.intervalMs * tolerance;
  }

  /** True when a frame arriving at `now` (ms) may pass; counts it if so. */
  take(now: number): boolean {
    if (now < this.tat - this.toleranceMs) return false;
    this.tat = Math.max(this.tat, now) + this.intervalMs;
    return true;
  }
}
