import { fileURLToPath } from 'node:url';
import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_STREAM_ID, isValidStreamId } from '../../shared/index.js';
import {
  ConfigError,
  loadConfigSource,
  readInt,
  readList,
  readString,
  type ConfigSource,
} from '../common/config-source.js';
import { isLogLevel, type LogLevel } from '../common/logger.js';

/** Ingest's settings, parsed once at start and frozen. Env keys and defaults in README "Configuration". */
export interface IngestConfig {
  /** `PORT`, default 3000; 0 picks a free port. */
  readonly port: number;
  /** `HOST`, default 127.0.0.1 (loopback only; set 0.0.0.0 to serve a network). */
  readonly host: string;
  /** `INGEST_TOKEN`: publishers' token; unset means publishing is open (a warning is logged). */
  readonly ingestToken: string | undefined;
  /** `VIEWER_TOKEN`: viewers' token (WebSocket, streams API, snapshots); unset means open. */
  readonly viewerToken: string | undefined;
  /** `DEFAULT_STREAM`, default `default`: the stream of `POST /ingest` and `GET /ws` when none is named. */
  readonly defaultStream: string;
  /** `MAX_FRAME_BYTES`, default 4 MiB: largest request body on the ingest routes. */
  readonly maxFrameBytes: number;
  /** `MAX_STREAMS`, default 64. */
  readonly maxStreams: number;
  /** `MAX_PUBLISH_FPS`, default 60: frames per second one stream may publish (burst of one second). */
  readonly maxPublishFps: number;
  /** `BUFFER_FRAMES`, default 4: frames kept per stream (the latest and those before it). */
  readonly bufferFrames: number;
  /** `STALL_AFTER_MS`, default 2000: no frame this long makes a live stream `stalled`. */
  readonly stallAfterMs: number;
  /** `OFFLINE_AFTER_MS`, default 10000: no frame this long makes a stream `offline`. */
  readonly offlineAfterMs: number;
  /** `MAX_VIEWERS`, default 4000: viewer sockets in all. */
  readonly maxViewers: number;
  /** `MAX_VIEWERS_PER_STREAM`, default 2500. */
  readonly maxViewersPerStream: number;
  /** `VIEWER_WINDOW`, default 2: unacknowledged frames an acknowledging viewer may have in flight. */
  readonly viewerWindow: number;
  /** `VIEWER_MAX_BUFFERED_BYTES`, default 0: a frame is sent only while the socket's unsent bytes are at most this. */
  readonly viewerMaxBufferedBytes: number;
  /** `FANOUT_SLICE_MS`, default 10: longest run of sends before the fan-out yields to requests and acks. */
  readonly fanoutSliceMs: number;
  /** `VIEWER_STALL_TIMEOUT_MS`, default 30000: a viewer that takes nothing for this long is closed (4408). */
  readonly viewerStallTimeoutMs: number;
  /** `WS_PING_INTERVAL_MS`, default 15000: ping period; a viewer that misses a pong is terminated. */
  readonly pingIntervalMs: number;
  /** `STATS_INTERVAL_MS`, default 2000: period of `stats` messages to viewers. */
  readonly statsIntervalMs: number;
  /** `SNAPSHOT_CONCURRENCY`, default 2: resized snapshots encoded at once; more get 503. */
  readonly snapshotConcurrency: number;
  /** `SNAPSHOT_MAX_WIDTH`, default 3840: largest `?width=` a snapshot may ask for. */
  readonly snapshotMaxWidth: number;
  /** `REQUEST_TIMEOUT_MS`, default 30000: a request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** `SHUTDOWN_TIMEOUT_MS`, default 5000: how long a graceful stop may take before connections are cut. */
  readonly shutdownTimeoutMs: number;
  /** `CORS_ORIGINS`: comma-separated origins allowed to call the HTTP API; empty (default) sends no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** `WEB_ROOT`, default the repo's `web/dist` (the built player): static files served at `/`. */
  readonly webRoot: string;
  /** `LOG_LEVEL`, default `info`. */
  readonly logLevel: LogLevel;
}

/** Every key ingest reads, also the keys allowed in `INGEST_CONFIG_FILE`. */
export const INGEST_CONFIG_KEYS = [
  'PORT',
  'HOST',
  'INGEST_TOKEN',
  'VIEWER_TOKEN',
  'DEFAULT_STREAM',
  'MAX_FRAME_BYTES',
  'MAX_STREAMS',
  'MAX_PUBLISH_FPS',
  'BUFFER_FRAMES',
  'STALL_AFTER_MS',
  'OFFLINE_AFTER_MS',
  'MAX_VIEWERS',
  'MAX_VIEWERS_PER_STREAM',
  'VIEWER_WINDOW',
  'FANOUT_SLICE_MS',
  'VIEWER_MAX_BUFFERED_BYTES',
  'VIEWER_STALL_TIMEOUT_MS',
  'WS_PING_INTERVAL_MS',
  'STATS_INTERVAL_MS',
  'SNAPSHOT_CONCURRENCY',
  'SNAPSHOT_MAX_WIDTH',
  'REQUEST_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'CORS_ORIGINS',
  'WEB_ROOT',
  'LOG_LEVEL',
] as const;

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));
const HOUR = 3_600_000;

function parse(src: ConfigSource): IngestConfig {
  const defaultStream = readString(src, 'DEFAULT_STREAM', DEFAULT_STREAM_ID);
  if (!isValidStreamId(defaultStream)) {
    throw new ConfigError('DEFAULT_STREAM', 'must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}');
  }
  const logLevel = readString(src, 'LOG_LEVEL', 'info');
  if (!isLogLevel(logLevel)) throw new ConfigError('LOG_LEVEL', 'must be debug, info, warn, error or silent');
  const token = (key: string): string | undefined => {
    const v = readString(src, key);
    if (v !== undefined && v.length < 8) throw new ConfigError(key, 'must be at least 8 characters when set');
    return v;
  };
  const config: IngestConfig = {
    port: readInt(src, 'PORT', 3000, 0, 65535),
    host: readString(src, 'HOST', '127.0.0.1'),
    ingestToken: token('INGEST_TOKEN'),
    viewerToken: token('VIEWER_TOKEN'),
    defaultStream,
    maxFrameBytes: readInt(src, 'MAX_FRAME_BYTES', DEFAULT_MAX_FRAME_BYTES, 1024, 64 * 1024 * 1024),
    maxStreams: readInt(src, 'MAX_STREAMS', 64, 1, 10_000),
    maxPublishFps: readInt(src, 'MAX_PUBLISH_FPS', 60, 1, 1000),
    bufferFrames: readInt(src, 'BUFFER_FRAMES', 4, 1, 300),
    stallAfterMs: readInt(src, 'STALL_AFTER_MS', 2000, 50, HOUR),
    offlineAfterMs: readInt(src, 'OFFLINE_AFTER_MS', 10_000, 100, 24 * HOUR),
    maxViewers: readInt(src, 'MAX_VIEWERS', 4000, 1, 1_000_000),
    maxViewersPerStream: readInt(src, 'MAX_VIEWERS_PER_STREAM', 2500, 1, 1_000_000),
    viewerWindow: readInt(src, 'VIEWER_WINDOW', 2, 1, 64),
    fanoutSliceMs: readInt(src, 'FANOUT_SLICE_MS', 10, 1, 1000),
    viewerMaxBufferedBytes: readInt(src, 'VIEWER_MAX_BUFFERED_BYTES', 0, 0, 256 * 1024 * 1024),
    viewerStallTimeoutMs: readInt(src, 'VIEWER_STALL_TIMEOUT_MS', 30_000, 100, HOUR),
    pingIntervalMs: readInt(src, 'WS_PING_INTERVAL_MS', 15_000, 100, HOUR),
    statsIntervalMs: readInt(src, 'STATS_INTERVAL_MS', 2000, 100, HOUR),
    snapshotConcurrency: readInt(src, 'SNAPSHOT_CONCURRENCY', 2, 1, 64),
    snapshotMaxWidth: readInt(src, 'SNAPSHOT_MAX_WIDTH', 3840, 16, 16384),
    requestTimeoutMs: readInt(src, 'REQUEST_TIMEOUT_MS', 30_000, 1000, HOUR),
    shutdownTimeoutMs: readInt(src, 'SHUTDOWN_TIMEOUT_MS', 5000, 0, 10 * 60_000),
    corsOrigins: Object.freeze(readList(src, 'CORS_ORIGINS')),
    webRoot: readString(src, 'WEB_ROOT', DEFAULT_WEB_ROOT),
    logLevel,
  };
  if (config.offlineAfterMs <= config.stallAfterMs) {
    throw new ConfigError('OFFLINE_AFTER_MS', `must be greater than STALL_AFTER_MS (${config.stallAfterMs})`);
  }
  if (config.maxViewersPerStream > config.maxViewers) {
    throw new ConfigError('MAX_VIEWERS_PER_STREAM', `must not exceed MAX_VIEWERS (${config.maxViewers})`);
  }
  return config;
}

/**
 * Parses ingest's config from the environment and the optional JSON file named
 * by `INGEST_CONFIG_FILE` (same keys; env wins). Throws ConfigError naming the key.
 */
export function loadIngestConfig(env: Readonly<Record<string, string | undefined>> = process.env): IngestConfig {
  return Object.freeze(parse(loadConfigSource(env, 'INGEST_CONFIG_FILE', INGEST_CONFIG_KEYS)));
}

/** Config for tests and embedding: defaults with `overrides` applied, validated like env input. */
export function ingestConfig(
  overrides: Partial<Record<(typeof INGEST_CONFIG_KEYS)[number], string | number>> = {},
): IngestConfig {
  return Object.freeze(parse(overrides));
}
