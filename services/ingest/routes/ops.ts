import { Hono } from 'hono';
import type { AppDeps } from './deps.js';

/** `/metrics` (Prometheus text), `/healthz` (process up), `/readyz` (accepting work). */
export function opsRoutes(deps: AppDeps): Hono {
  const started = Date.now();
  const app = new Hono();
  app.get('/metrics', async (c) =>
    c.body(await deps.registry.metrics(), 200, { 'Content-Type': deps.registry.contentType }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) }));
  app.get('/readyz', (c) =>
    deps.isShuttingDown() ? c.json({ status: 'shutting_down' }, 503) : c.json({ status: 'ready' }),
  );
  return app;
}
