import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeFrameEnvelope, inspectJpeg } from '../../../shared/index.js';
import { metricValue } from '../../ingest/test/helpers.js';
import { freePort, sleep, startTestCapture, waitFor, type TestCapture } from './helpers.js';

type Mode = { kind: 'ok'; delayMs?: number } | { kind: 'reject'; status: number; code: string };

/** A stand-in ingest that records what capture sends and answers as told. */
interface FakeIngest {
  readonly url: string;
  mode: Mode;
  readonly seqs: number[];
  readonly auth: Array<string | undefined>;
  /** Requests that were not a valid frame POST. */
  readonly errors: string[];
  connections: number;
  maxConcurrent: number;
  close(): Promise<void>;
}

async function startFakeIngest(mode: Mode, port = 0): Promise<FakeIngest> {
  let concurrent = 0;
  const state: Omit<FakeIngest, 'url' | 'close'> = {
    mode,
    seqs: [],
    auth: [],
    errors: [],
    connections: 0,
    maxConcurrent: 0,
  };
  const server = http.createServer((req, res) => {
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const env = decodeFrameEnvelope(Buffer.concat(chunks));
      if (!env.ok || !inspectJpeg(env.value.data).ok || req.url !== `/streams/${env.value.streamId}/frames`) {
        state.errors.push(`bad request to ${req.url}`);
      } else {
        state.seqs.push(env.value.seq as number);
      }
      state.auth.push(req.headers.authorization);
      const m = state.mode;
      const answer = (): void => {
        concurrent--;
        if (m.kind === 'ok') res.writeHead(204).end();
        else
          res
            .writeHead(m.status, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ error: { code: m.code, message: 'no' } }));
      };
      if (m.kind === 'ok' && m.delayMs) setTimeout(answer, m.delayMs);
      else answer();
    });
  });
  server.on('connection', () => state.connections++);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const fake = state as FakeIngest;
  Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return fake;
}

const PATTERN = { id: 'cam', url: 'testsrc:?size=320x240&rate=15', fps: 15 };
const cam = (c: TestCapture) => c.server.cameras()[0] as NonNullable<ReturnType<TestCapture['server']['cameras']>[0]>;
const dropped = (c: TestCapture, reason: string) =>
  metricValue(c.server.registry, 'capture_frames_dropped_total', { camera: 'cam', reason });

describe('posting to ingest', () => {
  it('keeps connections alive, never has more than 2 POSTs in flight, and drops old frames when ingest is slow', async () => {
    let ingest: FakeIngest | undefined;
    let capture: TestCapture | undefined;
    try {
      ingest = await startFakeIngest({ kind: 'ok', delayMs: 300 });
      capture = await startTestCapture({ INGEST_URL: ingest.url, INGEST_TOKEN: 'publisher-token-1' }, [PATTERN]);
      const f = ingest;
      await waitFor(() => f.seqs.length >= 12, 15_000);
      expect(f.errors).toEqual([]);
      expect(f.maxConcurrent).toBe(2);
      expect(f.connections).toBeLessThanOrEqual(2); // keep-alive: no new connection per frame
      expect(capture.server.ingestSockets()).toBeLessThanOrEqual(2);
      expect(await dropped(capture, 'superseded')).toBeGreaterThan(10); // 15 fps in, ~6.7 fps out
      // Newest wins: every frame sent is newer than the ones sent before it.
      const sorted = [...f.seqs].sort((a, b) => a - b);
      expect(f.seqs).toEqual(sorted);
      expect(new Set(f.seqs).size).toBe(f.seqs.length);
      expect(f.auth.every((a) => a === 'Bearer publisher-token-1')).toBe(true);
      expect(capture.logs.join('\n')).not.toContain('publisher-token-1');
      // Every captured frame is accounted for: posted, dropped, or still on its way (2 in flight, 1 waiting).
      const info = cam(capture);
      expect(info.framesCaptured - info.framesPosted - info.framesDropped).toBeLessThanOrEqual(3);
    } finally {
      await capture?.server.close();
      await ingest?.close();
    }
  });

  it('retries with backoff while ingest is down, logs it once, and resumes when ingest comes up', async () => {
    let ingest: FakeIngest | undefined;
    let capture: TestCapture | undefined;
    try {
      const port = await freePort();
      capture = await startTestCapture({ INGEST_URL: `http://127.0.0.1:${port}`, BACKOFF_MAX_MS: 1000 }, [PATTERN]);
      const c = capture;
      await waitFor(async () => (await dropped(c, 'ingest_down')) >= 20, 10_000);
      expect(cam(c).ingestUp).toBe(false);
      expect(await metricValue(c.server.registry, 'capture_ingest_up', { camera: 'cam' })).toBe(0);
      await sleep(1500);
      ingest = await startFakeIngest({ kind: 'ok' }, port);
      const f = ingest;
      await waitFor(() => f.seqs.length >= 5, 5000);
      expect(cam(c).ingestUp).toBe(true);
      const unreachable = c.logs.filter((l) => l.includes('"ingest unreachable'));
      expect(unreachable).toHaveLength(1);
      expect(c.logs.some((l) => l.includes('"ingest reachable again"'))).toBe(true);
      expect(cam(c).state).toBe('live'); // the camera side never noticed
    } finally {
      await capture?.server.close();
      await ingest?.close();
    }
  });

  it('logs a 4xx answer once per error code and counts every rejected frame', async () => {
    let ingest: FakeIngest | undefined;
    let capture: TestCapture | undefined;
    try {
      ingest = await startFakeIngest({ kind: 'reject', status: 429, code: 'rate_limited' });
      capture = await startTestCapture({ INGEST_URL: ingest.url }, [PATTERN]);
      const c = capture;
      const rejected = (code: string) =>
        metricValue(c.server.registry, 'capture_frames_rejected_total', { camera: 'cam', code });
      await waitFor(async () => (await rejected('rate_limited')) >= 10);
      ingest.mode = { kind: 'reject', status: 401, code: 'unauthorized' };
      await waitFor(async () => (await rejected('unauthorized')) >= 10);
      const warned = c.logs.filter((l) => l.includes('"ingest rejected a frame'));
      expect(warned).toHaveLength(2);
      expect(warned[0]).toContain('"code":"rate_limited"');
      expect(warned[1]).toContain('"code":"unauthorized"');
      expect(await dropped(c, 'rejected')).toBeGreaterThanOrEqual(20);
      expect(cam(c).ingestUp).toBe(true); // a 4xx is an answer, not an outage
    } finally {
      await capture?.server.close();
      await ingest?.close();
    }
  });
});
