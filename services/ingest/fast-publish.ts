import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestTap } from '../common/listen.js';
import type { Logger } from '../common/logger.js';
import { readIncoming } from './body.js';
import { errorBody } from './errors.js';
import { PendingFrame, type PublishHandler, type PublishReply, type PublishRequest } from './publish.js';

// Stream ids never need percent-decoding; a path with `%` goes to the app, which decodes it.
const FRAMES_PATH = /^\/streams\/([^/%]+)\/frames$/;

// A publish request read from node's IncomingMessage. Methods, not closures:
// under tsx (esbuild's keepNames) each named closure made per request costs a
// defineProperty, and this runs once per frame.
class NodePublishRequest implements PublishRequest {
  constructor(
    private readonly req: IncomingMessage,
    readonly path: string,
    readonly routeStreamId: string | undefined,
    private readonly search: string,
  ) {}

  header(name: string): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  query(): URLSearchParams {
    return new URLSearchParams(this.search);
  }
}

function reply(res: ServerResponse, r: PublishReply): void {
  if (r.error) {
    const body = JSON.stringify(r.error);
    res.writeHead(r.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      ...(r.closeConnection && { Connection: 'close' }),
    });
    res.end(body);
    return;
  }
  if (r.closeConnection) res.writeHead(r.status, r.status === 204 ? CLOSE : CLOSE_EMPTY);
  else if (r.status === 204) res.writeHead(204);
  else res.writeHead(r.status, EMPTY);
  res.end();
}

// Read-only header sets for the usual answers (node copies what it sends).
const EMPTY = Object.freeze({ 'Content-Length': '0' });
const CLOSE = Object.freeze({ Connection: 'close' });
const CLOSE_EMPTY = Object.freeze({ 'Content-Length': '0', Connection: 'close' });

/**
 * `POST /ingest` and `POST /streams/:id/frames` straight from node's request
 * to the publish handler, the same one the Hono routes call. A frame is one
 * request: @hono/node-server's fetch Request, routing, context and response
 * conversion were the largest part of ingest's per-frame cost after the
 * frame's own checks. Everything else (other methods and paths, a `%` in the
 * path) is left to the app.
 */
export function fastPublish(publish: PublishHandler, log: Logger): RequestTap {
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let routeStreamId: string | undefined;
    let ok: 200 | 204;
    if (path === '/ingest') {
      ok = 200;
    } else {
      const m = FRAMES_PATH.exec(path);
      if (!m) return false;
      routeStreamId = m[1];
      ok = 204;
    }
    const next = publish.head(new NodePublishRequest(req, path, routeStreamId, q < 0 ? '' : url.slice(q + 1)), ok);
    if (!(next instanceof PendingFrame)) {
      reply(res, next);
      return true;
    }
    const internal = (): void => {
      if (!res.headersSent && !res.destroyed) reply(res, { status: 500, error: errorBody('internal') });
    };
    readIncoming(req, next.limit, (body) => {
      if (body instanceof Error) {
        // The body failed to arrive (client gone): there may be no one to answer.
        log.debug('publish request failed', { path, err: body });
        return internal();
      }
      try {
        reply(res, publish.body(next, body));
      } catch (err) {
        log.error('publish request failed', { path, err });
        internal();
      }
    });
    return true;
  };
}
