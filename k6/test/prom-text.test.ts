import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startIngest } from '../../services/ingest/server.js';
import { ingestConfig } from '../../services/ingest/config.js';
import { createLogger } from '../../services/common/logger.js';
import { residentBytes, sampleValue } from '../lib/prom-text.js';

describe('prom-text', () => {
  it('reads a labelled sample and skips lookalike names', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'x_total', help: 'h', labelNames: ['stream'] as const, registers: [registry] });
    new Counter({ name: 'x_total_more', help: 'h', registers: [registry] }).inc(99);
    c.inc({ stream: 'a' }, 3);
    c.inc({ stream: 'b' }, 5);
    const text = await registry.metrics();
    expect(sampleValue(text, 'x_total', { stream: 'b' })).toBe(5);
    expect(sampleValue(text, 'x_total', { stream: 'a' })).toBe(3);
    expect(sampleValue(text, 'x_total', { stream: 'c' })).toBeUndefined();
    expect(sampleValue(text, 'x_total_more')).toBe(99);
    expect(sampleValue(text, 'x_tot')).toBeUndefined();
  });

  it("reads the resident memory from a real ingest's /metrics", async () => {
    const server = await startIngest(ingestConfig({ PORT: 0, HOST: '127.0.0.1' }), {
      log: createLogger({ level: 'silent' }),
    });
    try {
      const rss = residentBytes(await (await fetch(`${server.url}/metrics`)).text());
      expect(rss).toBeGreaterThan(10 * 1024 * 1024);
      expect(rss).toBeLessThan(8 * 1024 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });
});
