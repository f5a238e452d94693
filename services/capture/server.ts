import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { listen } from '../common/listen.js';
import { collectProcessMetrics } from '../common/process-metrics.js';
import { createLogger, type Logger } from '../common/logger.js';
import { createApp } from './app.js';
import { Camera, type CameraInfo } from './camera.js';
import type { CaptureConfig } from './config.js';
import { locateFfmpeg, locateSetpriv, type FfmpegInfo } from './ffmpeg-locate.js';
import { IngestClient } from './ingest-client.js';
import { createCaptureMetrics, type CaptureMetrics } from './metrics.js';
import { redactor, secretsOf } from './redact.js';

/** A running capture service. */
export interface CaptureServer {
  /** Base URL of capture's own HTTP API, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
  readonly port: number;
  readonly registry: Registry;
  readonly ffmpeg: FfmpegInfo;
  cameras(): readonly CameraInfo[];
  /** Sockets open to ingest now. */
  ingestSockets(): number;
  /** Stops every camera (FFmpeg SIGTERM, then SIGKILL), then the HTTP server. Resolves once every FFmpeg has exited. Idempotent. */
  close(): Promise<void>;
}

/** Options of `startCapture` beyond the config. */
export interface StartOptions {
  /** Logger to use as is. Default: JSON lines on stdout, scrubbed of every camera credential and the ingest token. */
  readonly log?: Logger;
  /** Where log lines go when `log` is not given (still scrubbed). Default stdout. */
  readonly logWrite?: (line: string) => void;
  readonly registry?: Registry;
  /** Also collect Node process metrics. Default true. */
  readonly processMetrics?: boolean;
  /** The FFmpeg to use; located (FFMPEG_PATH, PATH, npm) when absent. */
  readonly ffmpeg?: FfmpegInfo;
  /** Use setpriv for the parent-death signal when found. Default true. */
  readonly parentDeathSignal?: boolean;
}

/** Every secret in the config: camera URL credentials and the ingest token. */
export function configSecrets(config: CaptureConfig): string[] {
  const secrets = config.cameras.flatMap((c) => secretsOf(c.url));
  secrets.push(...secretsOf(config.ingestUrl));
  if (config.ingestToken !== undefined) secrets.push(config.ingestToken);
  return secrets;
}

/** Capture's logger: every finished line is scrubbed of the config's secrets before it is written. */
export function captureLogger(
  config: CaptureConfig,
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Logger {
  const redact = redactor(configSecrets(config));
  return createLogger({ level: config.logLevel, base: { service: 'capture' }, write: (line) => write(redact(line)) });
}

/** The parts of capture, built and wired but not started. */
export interface CaptureParts {
  readonly app: Hono;
  readonly cameras: readonly Camera[];
  readonly registry: Registry;
  readonly metrics: CaptureMetrics;
  readonly client: IngestClient;
  readonly log: Logger;
}

/** Builds every part of capture. The only place that wires them. */
export function buildCapture(config: CaptureConfig, ffmpeg: FfmpegInfo, options: StartOptions = {}): CaptureParts {
  const log = options.log ?? captureLogger(config, options.logWrite);
  const registry = options.registry ?? new Registry();
  if (options.processMetrics !== false) collectProcessMetrics(registry);
  const redact = redactor(configSecrets(config));
  const setpriv = options.parentDeathSignal === false ? undefined : locateSetpriv();
  const client = new IngestClient({
    ingestUrl: config.ingestUrl,
    token: config.ingestToken,
    timeoutMs: config.postTimeoutMs,
    maxSockets: 2 * config.cameras.length,
  });
  const metrics = createCaptureMetrics(registry, {
    cameras: () =>
      cameras.map((cam) => {
        const info = cam.info();
        return {
          id: info.id,
          state: info.state,
          reason: info.state === 'live' ? null : info.reason,
          lastFrameAgeSeconds: info.lastFrameAgeMs !== null ? info.lastFrameAgeMs / 1000 : null,
          ffmpegUp: cam.ffmpegRunning,
          ingestUp: info.ingestUp,
          fps: info.fps,
        };
      }),
  });
  metrics.ffmpegInfo.set({ source: ffmpeg.source, version: ffmpeg.version }, 1);
  const cameras = config.cameras.map(
    (camera) =>
      new Camera({
        camera,
        config,
        ffmpeg,
        setpriv,
        post: (streamId, frame) => client.post(streamId, frame),
        metrics,
        log: log.child({ camera: camera.id }),
        redact,
      }),
  );
  const app = createApp({ registry, log, ffmpeg, cameras: () => cameras.map((c) => c.info()) });
  return { app, cameras, registry, metrics, client, log };
}

/** Locates FFmpeg, builds capture, listens on CAPTURE_HOST:CAPTURE_PORT and starts every camera. */
export async function startCapture(config: CaptureConfig, options: StartOptions = {}): Promise<CaptureServer> {
  const ffmpeg = options.ffmpeg ?? (await locateFfmpeg({ ffmpegPath: config.ffmpegPath }));
  const { app, cameras, registry, client, log } = buildCapture(config, ffmpeg, options);
  log.info('ffmpeg', { source: ffmpeg.source, path: ffmpeg.path, version: ffmpeg.version, caps: ffmpeg.caps });
  const { server, port, url } = await listen(app.fetch, config.host, config.port);
  for (const camera of cameras) camera.start();
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    registry,
    ffmpeg,
    cameras: () => cameras.map((c) => c.info()),
    ingestSockets: () => client.socketCount(),
    close: () =>
      (closing ??= (async () => {
        await Promise.all(cameras.map((c) => c.stop()));
        client.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}
