import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runIngestBench } from './ingest.js';

// Smoke mode of `npm run bench:ingest`, so the tool cannot rot: real ingest
// process, real viewer workers, real publisher, a few seconds.
describe('ingest benchmark (smoke)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures every scenario and writes JSON with the machine', async () => {
    const { results, file, markdown } = await runIngestBench({ smoke: true, outDir: dir });
    expect(results.map((r) => r.scenario)).toEqual(['throughput', 'fanout', 'paused']);
    const [throughput, fanout, paused] = results;
    expect(throughput?.acceptedFps).toBeGreaterThan(30);
    expect(throughput?.statuses['204']).toBeGreaterThan(0);
    for (const r of [fanout, paused]) {
      expect(r?.latencyMs?.n).toBeGreaterThan(0);
      expect(r?.ingestLatencyMs?.n).toBeGreaterThan(0);
      expect(r?.viewerFps?.median).toBeGreaterThan(15);
      expect(r?.firstFrameMs?.n).toBe(3);
      expect(r?.closes).toEqual({});
      expect(r?.serverCpu).toBeGreaterThan(0);
      expect(r?.rssMb.max).toBeGreaterThan(10);
    }
    expect(existsSync(file)).toBe(true);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { machine: { cores: number }; results: unknown[] };
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.results).toHaveLength(3);
    expect(markdown).toContain('| fanout | ours |');
  }, 120_000);
});
