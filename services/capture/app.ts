import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { Logger } from '../common/logger.js';
import type { CameraInfo } from './camera.js';
import { apiErrorBody } from './errors.js';
import type { FfmpegInfo } from './ffmpeg-locate.js';

/** What the HTTP app reads; narrow on purpose. */
export interface AppDeps {
  readonly registry: Registry;
  readonly log: Logger;
  readonly ffmpeg: Pick<FfmpegInfo, 'path' | 'source' | 'version'>;
  cameras(): readonly CameraInfo[];
}

/**
 * Capture's HTTP app: `/metrics` (Prometheus), `/healthz` (process up, with a
 * summary per camera), `/cameras` and `/cameras/:id` (state, reason, figures;
 * URLs redacted). Never listens: `server.ts` does; tests call `app.request()`.
 */
export function createApp(deps: AppDeps): Hono {
  const started = Date.now();
  const app = new Hono();
  app.get('/metrics', async (c) =>
    c.body(await deps.registry.metrics(), 200, { 'Content-Type': deps.registry.contentType }),
  );
  // 200 whenever the process runs: restarting capture does not fix a camera. `status` says whether all are live.
  app.get('/healthz', (c) => {
    const cameras = deps.cameras();
    return c.json({
      status: cameras.every((cam) => cam.state === 'live') ? 'ok' : 'degraded',
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      ffmpeg: { source: deps.ffmpeg.source, version: deps.ffmpeg.version, path: deps.ffmpeg.path },
      cameras: cameras.map((cam) => ({
        id: cam.id,
        state: cam.state,
        reason: cam.reason,
        lastFrameAgeMs: cam.lastFrameAgeMs,
      })),
    });
  });
  app.get('/cameras', (c) => c.json({ cameras: deps.cameras() }));
  app.get('/cameras/:id', (c) => {
    const cam = deps.cameras().find((x) => x.id === c.req.param('id'));
    return cam ? c.json(cam) : c.json(apiErrorBody('camera_not_found'), 404);
  });
  app.notFound((c) => c.json(apiErrorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    deps.log.error('unhandled error', { path: c.req.path, err });
    return c.json(apiErrorBody('internal'), 500);
  });
  return app;
}
