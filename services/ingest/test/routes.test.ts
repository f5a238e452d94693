import { request as httpRequest } from 'node:http';
import { encode } from '@msgpack/msgpack';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.js';
import { ingestConfig } from '../config.js';
import { buildIngest, type IngestParts, type IngestServer } from '../server.js';
import { metricValue, seedBody, solidJpeg, startTestIngest, type ConfigOverrides } from './helpers.js';

function build(overrides: ConfigOverrides = {}): IngestParts {
  return buildIngest(ingestConfig(overrides), { log: createLogger({ level: 'silent' }), processMetrics: false });
}

const jpeg = await solidJpeg(64, 48, [200, 10, 10]);
const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
  .png()
  .toBuffer();

function post(parts: IngestParts, path: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
  return parts.app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body: body as Uint8Array<ArrayBuffer> | string,
  });
}

/** Where publish requests go: Hono via app.request(), or a real server (the fast path). */
interface PublishTarget {
  post(path: string, body: Uint8Array | string, headers?: Record<string, string>): Response | Promise<Response>;
  readonly registry: IngestParts['registry'];
  readonly hub: IngestParts['hub'];
}

const transports: Array<{ name: string; open: (config?: ConfigOverrides) => Promise<PublishTarget> }> = [
  {
    name: 'app.request() (Hono routes)',
    open: async (config = {}) => {
      const parts = build(config);
      return {
        post: (path, body, headers) => post(parts, path, body, headers),
        registry: parts.registry,
        hub: parts.hub,
      };
    },
  },
  {
    name: 'a real socket (the server fast path)',
    open: async (config = {}) => {
      const server = await startTestIngest(config);
      servers.push(server);
      return {
        post: (path, body, headers = {}) =>
          fetch(server.url + path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/octet-stream', ...headers },
            body: body as Uint8Array<ArrayBuffer> | string,
          }),
        registry: server.registry,
        hub: server.hub,
      };
    },
  },
];
const servers: IngestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe.each(transports)('ingest rejections over $name: status, stable code, and metric', ({ open }) => {
  const cases: Array<{
    name: string;
    config?: ConfigOverrides;
    path?: string;
    body: Uint8Array | string;
    headers?: Record<string, string>;
    status: number;
    code: string;
  }> = [
    { name: 'malformed body', body: 'definitely not msgpack', status: 400, code: 'invalid_envelope' },
    { name: 'msgpack but not a map', body: encode([1, 2, 3]), status: 400, code: 'invalid_envelope' },
    {
      name: 'missing data',
      body: encode({ timestamp: 1, width: 64, height: 48 }),
      status: 400,
      code: 'invalid_envelope',
    },
    {
      name: 'truncated JPEG',
      body: seedBody(jpeg.subarray(0, jpeg.length >> 1), 64, 48),
      status: 400,
      code: 'invalid_jpeg',
    },
    { name: 'PNG instead of JPEG', body: seedBody(png, 8, 8), status: 400, code: 'invalid_jpeg' },
    {
      name: 'width/height disagree with the JPEG',
      body: seedBody(jpeg, 640, 480),
      status: 400,
      code: 'dimension_mismatch',
    },
    {
      name: 'invalid stream id in the URL',
      path: '/streams/bad..%2Fid/frames',
      body: seedBody(jpeg, 64, 48),
      status: 400,
      code: 'invalid_stream_id',
    },
    {
      name: 'oversized body',
      config: { MAX_FRAME_BYTES: 2048 },
      body: seedBody(Buffer.concat([jpeg, Buffer.alloc(4096)]), 64, 48),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'wrong content type',
      body: seedBody(jpeg, 64, 48),
      headers: { 'Content-Type': 'text/plain' },
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'unknown X-Frame-Format',
      body: seedBody(jpeg, 64, 48),
      headers: { 'X-Frame-Format': 'msgpack-h264' },
      status: 415,
      code: 'unsupported_frame_format',
    },
    {
      name: 'missing token',
      config: { INGEST_TOKEN: 'publisher-secret' },
      body: seedBody(jpeg, 64, 48),
      status: 401,
      code: 'unauthorized',
    },
    {
      name: 'wrong token',
      config: { INGEST_TOKEN: 'publisher-secret' },
      body: seedBody(jpeg, 64, 48),
      headers: { Authorization: 'Bearer publisher-secreT' },
      status: 401,
      code: 'unauthorized',
    },
  ];

  it.each(cases)('$name -> $status $code', async ({ config, path, body, headers, status, code }) => {
    const parts = await open(config);
    const res = await parts.post(path ?? '/streams/cam/frames', body, headers);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(0);
    expect(await metricValue(parts.registry, 'ingest_frames_rejected_total', { reason: code })).toBe(1);
    expect(parts.hub.size).toBe(0); // nothing half-published
  });

  it('accepts the token as Bearer, X-Ingest-Token or ?token=', async () => {
    const parts = await open({ INGEST_TOKEN: 'publisher-secret' });
    const body = seedBody(jpeg, 64, 48);
    expect((await parts.post('/streams/cam/frames', body, { Authorization: 'Bearer publisher-secret' })).status).toBe(
      204,
    );
    expect((await parts.post('/streams/cam/frames', body, { 'X-Ingest-Token': 'publisher-secret' })).status).toBe(204);
    expect((await parts.post('/streams/cam/frames?token=publisher-secret', body)).status).toBe(204);
    expect(parts.hub.info('cam')?.frames).toBe(3);
  });

  it('answers 429 past MAX_PUBLISH_FPS', async () => {
    const parts = await open({ MAX_PUBLISH_FPS: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await parts.post('/streams/r/frames', seedBody(jpeg, 64, 48))).status);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    expect(await metricValue(parts.registry, 'ingest_frames_rejected_total', { reason: 'rate_limited' })).toBe(2);
  });

  it('answers 503 past MAX_STREAMS unless an unwatched offline stream can be evicted', async () => {
    const parts = await open({ MAX_STREAMS: 1 });
    expect((await parts.post('/streams/a/frames', seedBody(jpeg, 64, 48))).status).toBe(204);
    const res = await parts.post('/streams/b/frames', seedBody(jpeg, 64, 48));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
  });

  it('accepts a bare JPEG (image/jpeg) and the stream id from X-Stream-Id on /ingest', async () => {
    const parts = await open();
    const res = await parts.post('/ingest', jpeg, { 'Content-Type': 'image/jpeg', 'X-Stream-Id': 'door' });
    expect(res.status).toBe(200);
    expect(parts.hub.info('door')).toMatchObject({ width: 64, height: 48, frames: 1, status: 'live' });
  });
});

describe('streams API, snapshots, health', () => {
  it('lists streams with their figures and answers 404 for unknown ones', async () => {
    const parts = build();
    await post(parts, '/streams/yard/frames', seedBody(jpeg, 64, 48));
    const list = (await (await parts.app.request('/streams')).json()) as { streams: Array<Record<string, unknown>> };
    expect(list.streams).toHaveLength(1);
    expect(list.streams[0]).toMatchObject({
      id: 'yard',
      status: 'live',
      width: 64,
      height: 48,
      viewers: 0,
      frames: 1,
      drops: 0,
      bytes: jpeg.length,
    });
    expect(typeof list.streams[0]?.lastFrameAgeMs).toBe('number');
    const one = await parts.app.request('/streams/yard');
    expect(one.status).toBe(200);
    const missing = await parts.app.request('/streams/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('stream_not_found');
  });

  it('serves the latest frame as a snapshot, resized with ?width=', async () => {
    const parts = build();
    const big = await solidJpeg(320, 240, [0, 128, 255]);
    await post(parts, '/streams/snap/frames', seedBody(big, 320, 240));
    const raw = await parts.app.request('/streams/snap/snapshot.jpg');
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await raw.arrayBuffer()).equals(big)).toBe(true);
    const small = await parts.app.request('/streams/snap/snapshot.jpg?width=80');
    expect(small.status).toBe(200);
    const meta = await sharp(Buffer.from(await small.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 80, 60]);
    const bad = await parts.app.request('/streams/snap/snapshot.jpg?width=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
  });

  it('answers 404 no_frame for a stream that exists but has no frame yet', async () => {
    const parts = build();
    const sub = parts.hub.subscribe('waiting', { onFrame: () => undefined, onStatus: () => undefined });
    try {
      const res = await parts.app.request('/streams/waiting/snapshot.jpg');
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_frame');
    } finally {
      sub?.unsubscribe();
    }
  });

  it('reports health, readiness and shutdown', async () => {
    const parts = build();
    expect((await parts.app.request('/healthz')).status).toBe(200);
    expect((await parts.app.request('/readyz')).status).toBe(200);
    parts.beginShutdown();
    expect((await parts.app.request('/readyz')).status).toBe(503);
    const res = await post(parts, '/streams/x/frames', seedBody(jpeg, 64, 48));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('shutting_down');
  });

  it('exposes the documented metrics', async () => {
    const parts = build();
    await post(parts, '/streams/m/frames', seedBody(jpeg, 64, 48));
    const res = await parts.app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const line of [
      'ingest_frames_received_total{stream="m"} 1',
      `ingest_bytes_received_total{stream="m"} ${jpeg.length}`,
      'ingest_stream_state{stream="m",state="live"} 1',
      'ingest_stream_state{stream="m",state="offline"} 0',
      'fanout_viewers{stream="m"} 0',
      'ingest_streams 1',
    ]) {
      expect(text).toContain(line);
    }
    for (const name of ['fanout_frames_dropped_total', 'fanout_send_latency_seconds', 'ingest_frames_rejected_total']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('answers 426 to plain HTTP on WebSocket routes, JSON 404 elsewhere, and serves the page at /', async () => {
    const parts = build();
    expect((await parts.app.request('/ws')).status).toBe(426);
    expect((await parts.app.request('/streams/a/ws')).status).toBe(426);
    const nf = await parts.app.request('/no/such/route');
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const page = await parts.app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});

describe('body limit over a real socket', () => {
  it('answers 413 from Content-Length alone, before the body is sent', async () => {
    const server = await startTestIngest({ MAX_FRAME_BYTES: 1_000_000 });
    try {
      const { port } = server;
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/streams/x/frames',
            headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(500_000_000) },
          },
          (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write(Buffer.alloc(1024)); // 1 KiB of a declared 500 MB: the answer must not wait for the rest
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    } finally {
      await server.close();
    }
  });

  it('answers 413 to a chunked body once it passes the limit, and closes the connection', async () => {
    const server = await startTestIngest({ MAX_FRAME_BYTES: 100_000 });
    try {
      const res = await new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'POST',
            path: '/streams/x/frames',
            headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
          },
          (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body, connection: r.headers.connection }));
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 4; i++) req.write(Buffer.alloc(64 * 1024)); // 256 KiB, never ended
      });
      expect(res.status).toBe(413);
      expect(res.connection).toBe('close');
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
      expect(await metricValue(server.registry, 'ingest_frames_rejected_total', { reason: 'payload_too_large' })).toBe(
        1,
      );
    } finally {
      await server.close();
    }
  });
});
