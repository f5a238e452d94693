import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { errorBody, IngestError } from './errors.js';
import type { AppDeps } from './routes/deps.js';
import { ingestRoutes } from './routes/ingest.js';
import { opsRoutes } from './routes/ops.js';
import { streamRoutes } from './routes/streams.js';

export type { AppDeps } from './routes/deps.js';

/**
 * Builds ingest's HTTP app. Never listens: `server.ts` does, tests call
 * `app.request()`. WebSocket upgrades are handled by the fan-out beside it.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  if (deps.config.corsOrigins.length > 0) {
    app.use('*', cors({ origin: [...deps.config.corsOrigins], exposeHeaders: ['X-Frame-Seq', 'X-Frame-Timestamp'] }));
  }
  app.route('/', opsRoutes(deps));
  app.route('/', ingestRoutes(deps));
  app.route('/', streamRoutes(deps));
  app.use('/*', serveStatic({ root: deps.config.webRoot }));

  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof IngestError) {
      deps.log.info('request refused', { code: err.code, path: c.req.path });
      return c.json(errorBody(err.code, err.message), err.status as 400);
    }
    if (err instanceof HTTPException) return err.getResponse();
    deps.log.error('unhandled error', { path: c.req.path, err });
    return c.json(errorBody('internal'), 500);
  });
  return app;
}
