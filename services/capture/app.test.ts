import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import { createApp } from './app.js';
import type { CameraInfo } from './camera.js';

const camera = (id: string, state: CameraInfo['state'], extra: Partial<CameraInfo> = {}): CameraInfo => ({
  id,
  url: 'rtsp://***@cam:554/live',
  kind: 'rtsp',
  state,
  reason: null,
  since: 0,
  retryInMs: null,
  passthrough: false,
  inputCodec: 'h264',
  width: 640,
  height: 360,
  fps: 10,
  targetFps: 10,
  lastFrameAgeMs: 40,
  framesCaptured: 100,
  framesPosted: 99,
  framesDropped: 1,
  restarts: 0,
  ffmpegPid: 1234,
  ingestUp: true,
  ...extra,
});

function app(cameras: CameraInfo[]) {
  const registry = new Registry();
  return createApp({
    registry,
    log: createLogger({ level: 'silent' }),
    ffmpeg: { path: '/usr/bin/ffmpeg', source: 'PATH', version: '5.1.9' },
    cameras: () => cameras,
  });
}

describe('capture app', () => {
  it('/healthz is 200 with a summary, "degraded" unless every camera is live', async () => {
    const ok = await app([camera('a', 'live')]).request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'ok',
      ffmpeg: { source: 'PATH', version: '5.1.9' },
      cameras: [{ id: 'a', state: 'live', reason: null, lastFrameAgeMs: 40 }],
    });
    const res = await app([camera('a', 'live'), camera('b', 'auth_failed', { reason: 'auth_failed' })]).request(
      '/healthz',
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      cameras: [{ id: 'a' }, { id: 'b', state: 'auth_failed', reason: 'auth_failed' }],
    });
  });

  it('/cameras lists every camera; /cameras/:id one, or 404 camera_not_found', async () => {
    const a = app([camera('a', 'live'), camera('b', 'backoff')]);
    expect(await (await a.request('/cameras')).json()).toEqual({
      cameras: [camera('a', 'live'), camera('b', 'backoff')],
    });
    expect(await (await a.request('/cameras/b')).json()).toEqual(camera('b', 'backoff'));
    const missing = await a.request('/cameras/zzz');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'camera_not_found', message: 'No camera with that id.' } });
  });

  it('/metrics answers in the Prometheus text format; unknown routes 404 not_found', async () => {
    const a = app([]);
    const metrics = await a.request('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const res = await a.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
