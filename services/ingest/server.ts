import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { listen } from '../common/listen.js';
import { collectProcessMetrics } from '../common/process-metrics.js';
import { createLogger, type Logger } from '../common/logger.js';
import { createApp } from './app.js';
import type { IngestConfig } from './config.js';
import { fastPublish } from './fast-publish.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import { createPublishHandler, type PublishHandler } from './publish.js';
import { Snapshotter } from './snapshot.js';
import { StreamHub } from './stream-hub.js';
import { WsFanout } from './ws-fanout.js';

/** A running ingest server. */
export interface IngestServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  readonly hub: StreamHub;
  readonly fanout: WsFanout;
  readonly registry: Registry;
  /**
   * Graceful stop: refuses new work, closes viewers with 1001, lets requests in
   * flight finish, and cuts what is left after SHUTDOWN_TIMEOUT_MS. Idempotent.
   */
  close(): Promise<void>;
}

/** Options of `startIngest` beyond the config. */
export interface StartOptions {
  readonly log?: Logger;
  /** Registry to register metrics on; a fresh one by default. */
  readonly registry?: Registry;
  /** Also collect Node process metrics (CPU, memory, event loop). Default true. */
  readonly processMetrics?: boolean;
}

/** The parts of ingest, built and wired but not listening. */
export interface IngestParts {
  readonly app: Hono;
  readonly hub: StreamHub;
  readonly fanout: WsFanout;
  readonly registry: Registry;
  readonly metrics: IngestMetrics;
  readonly log: Logger;
  /** The publish routes' handler, also served without Hono by `startIngest`. */
  readonly publish: PublishHandler;
  /** Marks the service as stopping: readiness fails, publishers get 503. */
  beginShutdown(): void;
}

/** Builds every part of ingest from its config. The only place that wires them; tests use it with `app.request()`. */
export function buildIngest(config: IngestConfig, options: StartOptions = {}): IngestParts {
  const log = options.log ?? createLogger({ level: config.logLevel, base: { service: 'ingest' } });
  const registry = options.registry ?? new Registry();
  if (options.processMetrics !== false) collectProcessMetrics(registry);

  const hub = new StreamHub({
    maxStreams: config.maxStreams,
    bufferFrames: config.bufferFrames,
    stallAfterMs: config.stallAfterMs,
    offlineAfterMs: config.offlineAfterMs,
  });
  const metrics = createIngestMetrics(registry, {
    streams: () => hub.list(),
    viewers: (id) => fanout.viewerCount(id),
  });
  const fanout = new WsFanout(hub, config, metrics, log);
  let shuttingDown = false;
  const isShuttingDown = (): boolean => shuttingDown;
  const publish = createPublishHandler({ config, hub, metrics, log, isShuttingDown });
  const app = createApp({
    config,
    hub,
    viewers: fanout,
    metrics,
    registry,
    log,
    snapshots: new Snapshotter(config.snapshotConcurrency),
    isShuttingDown,
    publish,
  });
  return {
    app,
    hub,
    fanout,
    registry,
    metrics,
    log,
    publish,
    beginShutdown: () => {
      shuttingDown = true;
    },
  };
}

/** Builds ingest and listens on HOST:PORT; resolves once listening. */
export async function startIngest(config: IngestConfig, options: StartOptions = {}): Promise<IngestServer> {
  const { app, hub, fanout, registry, log, publish, beginShutdown } = buildIngest(config, options);
  // With CORS configured the publish routes stay in the app, where the CORS middleware answers for them.
  const tap = config.corsOrigins.length === 0 ? fastPublish(publish, log) : undefined;
  const { server, port, url } = await listen(app.fetch, config.host, config.port, tap);
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.requestTimeoutMs, 60_000);
  server.on('upgrade', (req, socket, head) => fanout.handleUpgrade(req, socket, head));
  hub.start();
  fanout.start();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    hub,
    fanout,
    registry,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        beginShutdown();
        fanout.close();
        hub.stop();
        const force = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}
