import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { tokenFrom, tokenMatches } from '../auth.js';
import { IngestError } from '../errors.js';
import type { StreamInfo } from '../stream-hub.js';
import type { AppDeps } from './deps.js';

/** A stream as the HTTP API shows it. */
export interface StreamView {
  readonly id: string;
  readonly status: StreamInfo['status'];
  readonly fps: number;
  readonly bitrate: number;
  readonly width: number;
  readonly height: number;
  readonly viewers: number;
  readonly lastFrameAgeMs: number | null;
  readonly frames: number;
  readonly bytes: number;
  readonly drops: number;
  readonly outOfOrder: number;
  readonly lastSeq: number;
}

/** Requires VIEWER_TOKEN (when set) on viewer-facing HTTP routes. */
function viewerAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token !== undefined) {
      const provided = tokenFrom((h) => c.req.header(h), new URL(c.req.url).searchParams, 'x-viewer-token');
      if (!tokenMatches(token, provided)) throw new IngestError('unauthorized');
    }
    await next();
  };
}

/** Streams API, snapshots, and the plain-HTTP answer of the WebSocket routes. */
export function streamRoutes(deps: AppDeps): Hono {
  const { hub, viewers, config, snapshots } = deps;
  const view = (s: StreamInfo): StreamView => ({
    id: s.id,
    status: s.status,
    fps: s.fps,
    bitrate: s.bitrate,
    width: s.width,
    height: s.height,
    viewers: viewers.viewerCount(s.id),
    lastFrameAgeMs: s.lastFrameAgeMs,
    frames: s.frames,
    bytes: s.bytes,
    drops: viewers.droppedFrames(s.id),
    outOfOrder: s.outOfOrder,
    lastSeq: s.lastSeq,
  });
  const streamOr404 = (c: Context): StreamInfo => {
    const info = hub.info(c.req.param('id') ?? '');
    if (!info) throw new IngestError('stream_not_found', `no stream ${JSON.stringify(c.req.param('id'))}`);
    return info;
  };

  const app = new Hono();
  const upgradeOnly = (c: Context): Response =>
    c.json({ error: { code: 'upgrade_required', message: 'connect with a WebSocket client' } }, 426, {
      Upgrade: 'websocket',
    });
  app.get('/ws', upgradeOnly);
  app.get('/streams/:id/ws', upgradeOnly);

  app.use('/streams', viewerAuth(config.viewerToken));
  app.use('/streams/*', viewerAuth(config.viewerToken));
  app.get('/streams', (c) => c.json({ streams: hub.list().map(view) }));
  app.get('/streams/:id', (c) => c.json(view(streamOr404(c))));
  app.get('/streams/:id/snapshot.jpg', async (c) => {
    const info = streamOr404(c);
    const frame = hub.latest(info.id);
    if (!frame) throw new IngestError('no_frame', `stream ${JSON.stringify(info.id)} has no frame yet`);
    const headers = {
      'Content-Type': 'image/jpeg',
      'Cache-Control': 'no-store',
      'X-Frame-Seq': String(frame.seq),
      'X-Frame-Timestamp': String(frame.timestamp),
    };
    const widthParam = c.req.query('width');
    if (widthParam === undefined) return c.body(frame.data as Uint8Array<ArrayBuffer>, 200, headers);
    const width = /^\d+$/.test(widthParam) ? Number(widthParam) : NaN;
    if (!(width >= 1 && width <= config.snapshotMaxWidth)) {
      throw new IngestError('invalid_query', `width must be an integer from 1 to ${config.snapshotMaxWidth}`);
    }
    const resized = await snapshots.resize(frame.data, width);
    if (resized === 'busy') throw new IngestError('snapshot_busy');
    return c.body(resized as Uint8Array<ArrayBuffer>, 200, headers);
  });
  return app;
}
