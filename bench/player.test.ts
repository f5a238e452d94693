import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlayerBench } from './player.js';

// Smoke mode of `npm run bench:player`: real ingest process, real Chromium, 2 s window.
describe('player benchmark (smoke)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-player-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures latency and browser CPU while Chromium plays 720p frames', async () => {
    const { result, file } = await runPlayerBench({ smoke: true, outDir: dir });
    expect(result.drawnFps).toBeGreaterThan(10);
    expect(result.sameClockLatencyMs.n).toBeGreaterThan(10);
    expect(result.sameClockLatencyMs.p50).toBeGreaterThan(0);
    // Browser and server share this machine's clock: the time-sync correction must agree with it
    // to within a loopback round trip (it was off by ~20 ms when one sample taken at connect was used).
    expect(Math.abs(result.latencyMs.p50 - result.sameClockLatencyMs.p50)).toBeLessThan(25);
    expect(result.browserCpu).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);
  }, 120_000);
});
