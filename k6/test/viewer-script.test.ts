/**
 * viewers.js's `viewer` against a scripted WebSocket server: what it sends
 * (the URL, the token, the exact acks), and what it reports when ingest skips
 * frames, reports drops, or closes the socket early.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeAck, encodeViewerFrame } from '../../shared/index.js';
import { resetRecorded, setEnv, total, values, vus } from './k6-shim.js';

vi.mock('k6', async () => (await import('./k6-shim.js')).k6);
vi.mock('k6/http', async () => ({ default: (await import('./k6-shim.js')).http }));
vi.mock('k6/execution', async () => ({ default: (await import('./k6-shim.js')).execution }));
vi.mock('k6/metrics', async () => (await import('./k6-shim.js')).metrics);
vi.mock('k6/timers', async () => (await import('./k6-shim.js')).timers);
vi.mock('k6/websockets', async () => (await import('./k6-shim.js')).websockets);

interface ViewersScript {
  viewer(): Promise<void>;
}

const frame = (seq: number): Uint8Array =>
  encodeViewerFrame({
    timestamp: Date.now() - 20,
    receivedAt: Date.now() - 5,
    seq,
    width: 2,
    height: 2,
    data: new Uint8Array(64),
    streamId: 'stub',
    format: 'jpeg',
  });

/** A server that plays `script` to each viewer and records what viewers send. */
async function stubServer(script: (ws: WebSocket) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const received: string[] = [];
  const requests: IncomingMessage[] = [];
  wss.on('connection', (ws, req) => {
    requests.push(req);
    ws.on('message', (data) => received.push(String(data)));
    script(ws);
  });
  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    received,
    requests,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

/** Imports viewers.js afresh with `env` (its settings are read at import, as in k6's init context). */
async function runViewer(env: Record<string, string>, sessionMs: number): Promise<void> {
  vi.resetModules();
  setEnv(env);
  const { viewer } = (await import(new URL('../viewers.js', import.meta.url).href)) as ViewersScript;
  const scenarioEnv = { SESSION_MS: String(sessionMs), RUN_MS: String(sessionMs) };
  await vus(viewer, { name: 'viewers', vus: 1, env, scenarioEnv });
}

let server: Awaited<ReturnType<typeof stubServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('viewers.js viewer', () => {
  it('asks for its stream with the token and acks each frame exactly as the benchmark viewer does', async () => {
    server = await stubServer((ws) => {
      ws.send(JSON.stringify({ type: 'hello', window: 2 }));
      for (const seq of [1, 2, 5]) ws.send(frame(seq));
      ws.send(JSON.stringify({ type: 'stats', sent: 3, dropped: 7 }));
      ws.send(JSON.stringify({ type: 'stream_stalled', lastFrameAgeMs: 2000 }));
    });
    resetRecorded();
    await runViewer({ BASE_URL: server.url, STREAMS: 'stub', VIEWER_TOKEN: 'stub-token-1', WARMUP: '0s' }, 600);
    expect(server.requests[0]?.url).toBe('/streams/stub/ws');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer stub-token-1');
    // The canonical ack (shared encodeAck), which ingest reads without JSON.parse.
    expect(server.received).toEqual([encodeAck(1), encodeAck(2), encodeAck(5)]);
    expect(server.received[0]).toBe('{"type":"ack","seq":1}');
    expect(values('frame_latency')).toHaveLength(3);
    expect(Math.min(...values('frame_latency'))).toBeGreaterThanOrEqual(20);
    expect(total('frame_gaps')).toBe(2);
    expect(values('frame_dropped')).toEqual([0, 0, 0, 1, 1]);
    expect(total('server_dropped_frames')).toBe(7);
    expect(total('stream_stalls')).toBe(1);
    expect(values('viewer_failed')).toEqual([0]);
    expect(values('viewer_fps')).toHaveLength(1);
  });

  it('does not ack with ACK=0 (the seed player)', async () => {
    server = await stubServer((ws) => {
      for (const seq of [1, 2]) ws.send(frame(seq));
    });
    resetRecorded();
    await runViewer({ BASE_URL: server.url, STREAMS: 'stub', ACK: '0', WARMUP: '0s' }, 400);
    expect(values('frame_latency')).toHaveLength(2);
    expect(server.received).toEqual([]);
  });

  it('counts a session the server closes early as failed', async () => {
    server = await stubServer((ws) => {
      ws.send(frame(1));
      setTimeout(() => ws.close(4408, 'stalled'), 100);
    });
    resetRecorded();
    const t0 = Date.now();
    await runViewer({ BASE_URL: server.url, STREAMS: 'stub', WARMUP: '0s' }, 5000);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(values('viewer_failed')).toEqual([1]);
  });

  it('does not connect when less of the run is left than the warmup (the end of a soak)', async () => {
    server = await stubServer((ws) => ws.send(frame(1)));
    resetRecorded();
    const t0 = Date.now();
    await runViewer({ BASE_URL: server.url, STREAMS: 'stub', WARMUP: '1s' }, 300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(server.requests).toHaveLength(0);
    expect(values('viewer_failed')).toEqual([]);
  });

  it('counts a socket that cannot connect as failed, without waiting for the session', async () => {
    const closed = await stubServer(() => undefined);
    const url = closed.url;
    await closed.close();
    resetRecorded();
    const t0 = Date.now();
    await runViewer({ BASE_URL: url, STREAMS: 'stub', WARMUP: '0s' }, 5000);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(values('viewer_failed')).toEqual([1]);
    expect(values('viewer_fps')).toEqual([]);
  });
});
