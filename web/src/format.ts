/** Bits per second as text, e.g. `3.2 Mbit/s`. */
export function formatBitrate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  if (bps >= 1e3) return `${Math.round(bps / 1e3)} kbit/s`;
  return `${Math.round(bps)} bit/s`;
}

/** Milliseconds as text, `–` when unknown. */
export function formatMs(ms: number | null): string {
  return ms === null ? '–' : `${Math.round(ms)} ms`;
}
