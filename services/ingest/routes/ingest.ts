import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import { readIncomingLimited, readRequestLimited } from '../body.js';
import { handlePublish } from '../publish.js';
import type { AppDeps } from './deps.js';

/**
 * Publisher routes: `POST /streams/:id/frames` (answers 204) and the seed
 * producer's `POST /ingest` (answers 200: the seed producer counts a frame as
 * sent only on 200, and paces itself by that). The work is `deps.publish`; on
 * the Node server the same handler is reached without Hono (fast-publish.ts).
 */
export function ingestRoutes(deps: AppDeps): Hono {
  const handle = async (c: Context, routeStreamId: string | undefined, okStatus: 200 | 204): Promise<Response> => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const reply = await handlePublish(
      deps.publish,
      {
        path: c.req.path,
        routeStreamId,
        header: (name) => c.req.header(name),
        query: () => new URL(c.req.url).searchParams,
      },
      okStatus,
      (limit) => (incoming ? readIncomingLimited(incoming, limit) : readRequestLimited(c.req.raw, limit)),
    );
    if (reply.closeConnection) c.header('Connection', 'close');
    return reply.error ? c.json(reply.error, reply.status as 400) : c.body(null, reply.status as 204);
  };

  const app = new Hono();
  app.post('/ingest', (c) => handle(c, undefined, 200));
  app.post('/streams/:id/frames', (c) => handle(c, c.req.param('id'), 204));
  return app;
}
