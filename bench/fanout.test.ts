import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFanoutBench } from './fanout.js';

// Smoke mode of `npm run bench`: ours, the naive relay and node-rtsp-stream (with
// a real GStreamer RTSP camera and FFmpeg), a few viewers, a few seconds each.
describe('fan-out benchmark (smoke)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads all three servers the same way and writes comparable figures', async () => {
    const { compared, single, file, markdown } = await runFanoutBench({
      smoke: true,
      outDir: dir,
      log: () => undefined,
    });
    expect(compared.map((p) => p.payload)).toEqual(['1280x720', '640x360']);
    for (const p of compared) {
      for (const r of [...p.ours, ...p.naive]) {
        expect(r.acceptedFps).toBeGreaterThan(15);
        expect(r.viewerFps?.median).toBeGreaterThan(15);
        expect(r.latencyMs?.n).toBeGreaterThan(0);
        expect(r.closes).toEqual({});
        expect(r.primedFrames).toBeGreaterThan(10); // primed before viewers joined
      }
      expect(p.ours[0]?.ingestLatencyMs?.n).toBeGreaterThan(0); // only ours stamps receivedAt
      expect(p.naive[0]?.ingestLatencyMs).toBeUndefined();
      expect(p.ours[0]?.firstFrameMs?.n).toBe(5);
      expect(p.cpuRatio).toBeGreaterThan(0);
      expect(Number.isFinite(p.cpuRatio)).toBe(true);
      // Each run's server CPU over its own load generators' CPU, medians, then ours / naive.
      const perLoad = (rs: typeof p.ours) => {
        const xs = rs.map((r) => r.serverCpu / r.loadCpu).sort((a, b) => a - b);
        return xs[xs.length >> 1] as number;
      };
      expect(p.cpuPerLoadRatio).toBeCloseTo(perLoad(p.ours) / perLoad(p.naive), 2);
      expect(Number.isFinite(p.cpuPerLoadRatio)).toBe(true);
    }
    const nrs = single.find((r) => r.target === 'node-rtsp-stream');
    expect(nrs?.viewerBitrate).toBeGreaterThan(10_000);
    expect(nrs?.serverCpu).toBeGreaterThan(0); // its FFmpeg transcodes
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).machine.cores).toBeGreaterThan(0);
    expect(markdown).toContain('| sweep | 1280x720 | 8 |');
    expect(markdown).toContain('| ratio | ratio per load-generator CPU |');
    expect(markdown).toContain('at full speed for 300 ms');
  }, 180_000);
});
