/**
 * ingest.js publishes what the project's benchmark publisher (bench/lib/publisher.ts)
 * publishes, so numbers from `npm run bench:ingest` can be reproduced with k6:
 * same route, headers, envelope fields in the same order, seq from 1, and a
 * default frame of the benchmark payload's size.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode } from '@msgpack/msgpack';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makePayload } from '../../bench/lib/payload.js';
import { publish } from '../../bench/lib/publisher.js';
import { jpegSize } from '../lib/jpeg.js';
import { arrivals, setEnv } from './k6-shim.js';

vi.mock('k6', async () => (await import('./k6-shim.js')).k6);
vi.mock('k6/http', async () => ({ default: (await import('./k6-shim.js')).http }));
vi.mock('k6/execution', async () => ({ default: (await import('./k6-shim.js')).execution }));
vi.mock('k6/metrics', async () => (await import('./k6-shim.js')).metrics);

interface Captured {
  method: string;
  url: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

const captured: Captured[] = [];
const server = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    captured.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'],
      body: decode(Buffer.concat(chunks)) as Record<string, unknown>,
    });
    res.writeHead(204).end();
  });
});
let base = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ingest.js and the benchmark publisher', () => {
  it('send the same requests', async () => {
    const payload = await makePayload('720p');
    await publish(base, 'eq', payload, 20, 260);
    const bench = captured.splice(0);

    const env = { BASE_URL: base, STREAMS: 'eq', FPS: '20' };
    setEnv(env);
    const ingestJs = (await import(new URL('../ingest.js', import.meta.url).href)) as {
      publisher(): Promise<void>;
    };
    await arrivals(ingestJs.publisher, {
      name: 'publish_eq',
      rate: 20,
      durationMs: 260,
      maxVUs: 2,
      env,
      scenarioEnv: { STREAM_ID: 'eq' },
    });
    const k6 = captured.splice(0);

    expect(bench.length).toBeGreaterThanOrEqual(5);
    expect(k6.length).toBe(bench.length);
    const shape = (c: Captured) => ({
      method: c.method,
      url: c.url,
      contentType: c.contentType,
      keys: Object.keys(c.body),
      types: Object.values(c.body).map((v) => (v instanceof Uint8Array ? 'binary' : typeof v)),
      width: c.body.width,
      height: c.body.height,
    });
    expect(k6.map(shape)).toEqual(bench.map(shape));
    expect(k6[0]).toMatchObject({ method: 'POST', url: '/streams/eq/frames', contentType: 'application/octet-stream' });
    expect(Object.keys(k6[0]?.body ?? {})).toEqual(['streamId', 'seq', 'timestamp', 'width', 'height', 'data']);
    const seqs = (list: Captured[]) => list.map((c) => c.body.seq).sort((a, b) => Number(a) - Number(b));
    expect(seqs(k6)).toEqual(seqs(bench));
    for (const c of [...k6, ...bench]) expect(Math.abs(Date.now() - Number(c.body.timestamp))).toBeLessThan(5000);
  });

  it("default frame is the benchmark's 1280x720 payload, within its size spread", async () => {
    const frame = readFileSync(new URL('../frames/720p.jpg', import.meta.url));
    const payload = await makePayload('720p');
    expect(jpegSize(frame)).toEqual({ width: payload.width, height: payload.height });
    expect(frame.length / payload.jpeg.length).toBeGreaterThan(0.8);
    expect(frame.length / payload.jpeg.length).toBeLessThan(1.25);
  });
});
