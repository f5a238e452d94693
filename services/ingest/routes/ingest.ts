import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import { tokenFrom, tokenMatches } from '../auth.js';
import { errorBody, ERRORS, type ErrorCode } from '../errors.js';
import { bodyKindOf, parseFrameBody } from '../frame-intake.js';
import { readBodyLimited } from '../body.js';
import { LogThrottle } from '../log-throttle.js';
import { RateLimiter } from '../rate-limiter.js';
import { isValidStreamId } from '../../../shared/index.js';
import type { AppDeps } from './deps.js';

/**
 * Publisher routes: `POST /streams/:id/frames` (answers 204) and the seed
 * producer's `POST /ingest` (answers 200: the seed producer counts a frame as
 * sent only on 200, and paces itself by that).
 */
export function ingestRoutes(deps: AppDeps): Hono {
  const { config, hub, metrics } = deps;
  const limiter = new RateLimiter({ ratePerSecond: config.maxPublishFps, maxKeys: config.maxStreams * 2 });
  const throttle = new LogThrottle(deps.log);

  const reject = (c: Context, code: ErrorCode, message: string = ERRORS[code].summary, stream?: string): Response => {
    metrics.framesRejected.inc({ reason: code });
    throttle.info(`${code}:${stream ?? ''}`, 'frame rejected', { code, message, stream, path: c.req.path });
    return c.json(errorBody(code, message), ERRORS[code].status as 400);
  };

  const handle = async (c: Context, routeStreamId: string | undefined, okStatus: 200 | 204): Promise<Response> => {
    if (deps.isShuttingDown()) return reject(c, 'shutting_down');
    if (config.ingestToken !== undefined) {
      const provided = tokenFrom((h) => c.req.header(h), new URL(c.req.url).searchParams, 'x-ingest-token');
      if (!tokenMatches(config.ingestToken, provided)) return reject(c, 'unauthorized');
    }
    if (routeStreamId !== undefined && !isValidStreamId(routeStreamId)) {
      return reject(c, 'invalid_stream_id', 'stream id must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}');
    }
    const kind = bodyKindOf(c.req.header('content-type'), c.req.header('x-frame-format'));
    if (!kind.ok) return reject(c, kind.code, kind.message);
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const body = await readBodyLimited(c.req.raw, config.maxFrameBytes, incoming);
    if (body === 'too_large') {
      c.header('Connection', 'close');
      return reject(c, 'payload_too_large', `body is larger than MAX_FRAME_BYTES (${config.maxFrameBytes})`);
    }
    const parsed = parseFrameBody(kind.kind, body, {
      ...(routeStreamId !== undefined && { routeStreamId }),
      ...(c.req.header('x-stream-id') !== undefined && { headerStreamId: c.req.header('x-stream-id') }),
      ...(c.req.header('x-frame-timestamp') !== undefined && { headerTimestamp: c.req.header('x-frame-timestamp') }),
      defaultStream: config.defaultStream,
      maxFrameBytes: config.maxFrameBytes,
      now: Date.now(),
    });
    if (!parsed.ok) return reject(c, parsed.code, parsed.message, routeStreamId);
    const { streamId } = parsed.input;
    if (!limiter.take(streamId)) {
      return reject(c, 'rate_limited', `stream publishes faster than ${config.maxPublishFps} fps`, streamId);
    }
    const result = hub.publish(parsed.input);
    if (!result.ok) return reject(c, 'too_many_streams', `MAX_STREAMS (${config.maxStreams}) reached`, streamId);
    if (result.frame) {
      metrics.framesReceived.inc({ stream: streamId });
      metrics.bytesReceived.inc({ stream: streamId }, result.frame.data.byteLength);
    } else {
      metrics.framesOutOfOrder.inc({ stream: streamId });
    }
    return okStatus === 204 ? c.body(null, 204) : c.body(null, 200);
  };

  const app = new Hono();
  app.post('/ingest', (c) => handle(c, undefined, 200));
  app.post('/streams/:id/frames', (c) => handle(c, c.req.param('id'), 204));
  return app;
}
