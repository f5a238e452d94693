import { isValidStreamId } from '../../shared/index.js';
import type { Logger } from '../common/logger.js';
import { tokenFrom, tokenMatches } from './auth.js';
import type { BodyResult } from './body.js';
import type { IngestConfig } from './config.js';
import { errorBody, ERRORS, type ErrorBody, type ErrorCode } from './errors.js';
import { bodyKindOf, parseFrameBody, type BodyKind } from './frame-intake.js';
import { LogThrottle } from './log-throttle.js';
import type { IngestMetrics } from './metrics.js';
import { RateLimiter } from './rate-limiter.js';
import type { Tally } from './tally.js';
import type { StreamHub } from './stream-hub.js';

/** One publish request, whatever carried it: node's IncomingMessage on the server, a fetch Request in tests. */
export interface PublishRequest {
  /** For logs. */
  readonly path: string;
  /** The `:id` of `/streams/:id/frames`; undefined on `/ingest`. */
  readonly routeStreamId: string | undefined;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  /** The query string's parameters (read only when a token is configured). */
  query(): URLSearchParams;
}

/** The answer to a publish request. */
export interface PublishReply {
  readonly status: number;
  /** JSON body of a refusal; none on success. */
  readonly error?: ErrorBody;
  /** The rest of the request was not read: the connection must close after the answer. */
  readonly closeConnection?: boolean;
}

/** What a publish handler is built from. */
export interface PublishDeps {
  readonly config: IngestConfig;
  readonly hub: Pick<StreamHub, 'publish'>;
  readonly metrics: IngestMetrics;
  readonly log: Logger;
  /** True once shutdown began: publishers get 503. */
  readonly isShuttingDown: () => boolean;
}

/**
 * A publish request whose head passed every check: its body, at most `limit`
 * bytes, is to be read and given to `PublishHandler.body`.
 */
export class PendingFrame {
  constructor(
    readonly req: PublishRequest,
    readonly kind: BodyKind,
    /** What a stored frame answers. */
    readonly okStatus: 200 | 204,
    readonly limit: number,
  ) {}
}

/**
 * Handles publish requests in two synchronous halves around reading the body,
 * so the Node server can read it with a plain callback (a frame is one
 * request: a promise chain per frame was a measurable share of its cost).
 * `handlePublish` joins the halves for callers that await.
 */
export interface PublishHandler {
  /** What the head decides (shutdown, token, stream id, content type): a refusal, or the frame whose body to read. */
  head(req: PublishRequest, okStatus: 200 | 204): PublishReply | PendingFrame;
  /** Validates the body read for `pending` (envelope, JPEG, rate) and stores the frame. */
  body(pending: PendingFrame, body: BodyResult): PublishReply;
}

/** One whole publish request: the head's checks, the body read with `readBody` (refusing past `limit`), then the body's. */
export async function handlePublish(
  handler: PublishHandler,
  req: PublishRequest,
  okStatus: 200 | 204,
  readBody: (limit: number) => Promise<BodyResult>,
): Promise<PublishReply> {
  const next = handler.head(req, okStatus);
  if (!(next instanceof PendingFrame)) return next;
  return handler.body(next, await readBody(next.limit));
}

const STREAM_ID_RULE = 'stream id must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}';

/**
 * The publisher side of ingest, free of any HTTP framework so the Node server
 * can call it without building a fetch Request per frame (see fast-publish.ts)
 * while `app.request()` reaches the same code through Hono: checks shutdown,
 * token, stream id, content type, body size, envelope and JPEG, rate; stores
 * the frame in the hub; counts every refusal by its code.
 */
export function createPublishHandler(deps: PublishDeps): PublishHandler {
  const { config, hub, metrics } = deps;
  const limiter = new RateLimiter({ ratePerSecond: config.maxPublishFps, maxKeys: config.maxStreams * 2 });
  const throttle = new LogThrottle(deps.log);
  // Tallies per stream, so a frame costs no label hashing; the map is bounded like the hub's streams.
  const counters = new Map<string, { frames: Tally; bytes: Tally }>();
  const countersFor = (streamId: string) => {
    let c = counters.get(streamId);
    if (!c) {
      if (counters.size >= config.maxStreams * 2) counters.clear();
      c = { frames: metrics.framesReceived.tally(streamId), bytes: metrics.bytesReceived.tally(streamId) };
      counters.set(streamId, c);
    }
    return c;
  };

  const reject = (req: PublishRequest, code: ErrorCode, message: string = ERRORS[code].summary, stream?: string) => {
    metrics.framesRejected.inc({ reason: code });
    throttle.info(`${code}:${stream ?? ''}`, 'frame rejected', { code, message, stream, path: req.path });
    return { status: ERRORS[code].status, error: errorBody(code, message) };
  };

  return {
    head: (req, okStatus) => {
      if (deps.isShuttingDown()) return reject(req, 'shutting_down');
      if (config.ingestToken !== undefined) {
        const provided = tokenFrom((name) => req.header(name), req.query(), 'x-ingest-token');
        if (!tokenMatches(config.ingestToken, provided)) return reject(req, 'unauthorized');
      }
      const { routeStreamId } = req;
      if (routeStreamId !== undefined && !isValidStreamId(routeStreamId)) {
        return reject(req, 'invalid_stream_id', STREAM_ID_RULE);
      }
      const kind = bodyKindOf(req.header('content-type'), req.header('x-frame-format'));
      if (!kind.ok) return reject(req, kind.code, kind.message);
      return new PendingFrame(req, kind.kind, okStatus, config.maxFrameBytes);
    },

    body: (pending, body) => {
      const { req } = pending;
      const { routeStreamId } = req;
      if (body === 'too_large') {
        const r = reject(req, 'payload_too_large', `body is larger than MAX_FRAME_BYTES (${config.maxFrameBytes})`);
        return { ...r, closeConnection: true };
      }
      const parsed = parseFrameBody(pending.kind, body, {
        routeStreamId,
        headerStreamId: req.header('x-stream-id'),
        headerTimestamp: req.header('x-frame-timestamp'),
        defaultStream: config.defaultStream,
        maxFrameBytes: config.maxFrameBytes,
        now: Date.now(),
      });
      if (!parsed.ok) return reject(req, parsed.code, parsed.message, routeStreamId);
      const { streamId } = parsed.input;
      if (!limiter.take(streamId)) {
        return reject(req, 'rate_limited', `stream publishes faster than ${config.maxPublishFps} fps`, streamId);
      }
      const result = hub.publish(parsed.input);
      if (!result.ok) return reject(req, 'too_many_streams', `MAX_STREAMS (${config.maxStreams}) reached`, streamId);
      if (result.frame) {
        const c = countersFor(streamId);
        c.frames.inc();
        c.bytes.inc(result.frame.data.byteLength);
      } else {
        metrics.framesOutOfOrder.inc({ stream: streamId });
      }
      return { status: pending.okStatus };
    },
  };
}
