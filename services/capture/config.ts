import path from 'node:path';
import { DEFAULT_MAX_FRAME_BYTES } from '../../shared/index.js';
import { ConfigError, loadConfigSource, readInt, readString, type ConfigSource } from '../common/config-source.js';
import { isLogLevel, type LogLevel } from '../common/logger.js';
import { parseCameras, type CameraConfig } from './camera-config.js';

export type { CameraConfig, PassthroughMode, SourceKind, TestPattern, Transport } from './camera-config.js';

/** Capture's settings, parsed once at start and frozen. */
export interface CaptureConfig {
  /** `CAPTURE_PORT`, default 3001; 0 picks a free port. */
  readonly port: number;
  /** `CAPTURE_HOST`, default 127.0.0.1. */
  readonly host: string;
  /** `INGEST_URL`, default `http://127.0.0.1:3000`, without a trailing slash. */
  readonly ingestUrl: string;
  /** `INGEST_TOKEN`: sent as `Authorization: Bearer`; unset sends none. */
  readonly ingestToken: string | undefined;
  readonly cameras: readonly CameraConfig[];
  /** `FFMPEG_PATH`: the FFmpeg binary; unset looks on PATH, then in the npm package. */
  readonly ffmpegPath: string | undefined;
  /** `READ_TIMEOUT_MS`, default 5000: FFmpeg's socket read timeout on RTSP and HTTP sources. */
  readonly readTimeoutMs: number;
  /** `BACKOFF_INITIAL_MS`, default 500: first restart delay after FFmpeg exits. */
  readonly backoffInitialMs: number;
  /** `BACKOFF_MAX_MS`, default 4000: restart delays double up to this (jitter only shortens them). */
  readonly backoffMaxMs: number;
  /**
   * `PROBE_INTERVAL_MS`, default 500 (0: off): while a network camera is in backoff, a TCP connect to it
   * this often; when it answers again, FFmpeg restarts at once instead of at the end of the backoff.
   */
  readonly probeIntervalMs: number;
  /** `SLOW_RETRY_MS`, default 60000: retry period after 401/403 (auth_failed) or 404 (not_found). */
  readonly slowRetryMs: number;
  /** `KILL_GRACE_MS`, default 2000: SIGKILL follows SIGTERM after this. */
  readonly killGraceMs: number;
  /** `MAX_FRAME_BYTES`, default 4 MiB: a larger JPEG from FFmpeg is dropped. */
  readonly maxFrameBytes: number;
  /** `POST_TIMEOUT_MS`, default 5000: a frame POST taking longer counts as ingest down. */
  readonly postTimeoutMs: number;
  /** `LOG_LEVEL`, default `info`. */
  readonly logLevel: LogLevel;
}

/** Every environment key capture reads, also the keys allowed in `CAPTURE_CONFIG_FILE`. */
export const CAPTURE_CONFIG_KEYS = [
  'CAPTURE_PORT',
  'CAPTURE_HOST',
  'INGEST_URL',
  'INGEST_TOKEN',
  'CAMERAS_FILE',
  'CAMERA_URL',
  'CAMERA_ID',
  'FFMPEG_PATH',
  'WATCHDOG_MS',
  'READ_TIMEOUT_MS',
  'BACKOFF_INITIAL_MS',
  'BACKOFF_MAX_MS',
  'PROBE_INTERVAL_MS',
  'SLOW_RETRY_MS',
  'KILL_GRACE_MS',
  'MAX_FRAME_BYTES',
  'POST_TIMEOUT_MS',
  'LOG_LEVEL',
] as const;

function fail(key: string, message: string): never {
  throw new ConfigError(key, message);
}

function parse(src: ConfigSource, inlineCameras?: readonly unknown[]): CaptureConfig {
  const logLevel = readString(src, 'LOG_LEVEL', 'info');
  if (!isLogLevel(logLevel)) throw new ConfigError('LOG_LEVEL', 'must be debug, info, warn, error or silent');
  const ingestUrl = readString(src, 'INGEST_URL', 'http://127.0.0.1:3000').replace(/\/+$/, '');
  let ingest: URL | undefined;
  try {
    ingest = new URL(ingestUrl);
  } catch {
    ingest = undefined;
  }
  if (!ingest || (ingest.protocol !== 'http:' && ingest.protocol !== 'https:')) {
    fail('INGEST_URL', 'must be an http:// or https:// URL');
  }
  const ingestToken = readString(src, 'INGEST_TOKEN');
  if (ingestToken !== undefined && ingestToken.length < 8)
    fail('INGEST_TOKEN', 'must be at least 8 characters when set');
  const watchdogMs = readInt(src, 'WATCHDOG_MS', 5000, 500, 600_000);
  const backoffInitialMs = readInt(src, 'BACKOFF_INITIAL_MS', 500, 50, 60_000);
  const backoffMaxMs = readInt(src, 'BACKOFF_MAX_MS', 4000, 50, 600_000);
  if (backoffMaxMs < backoffInitialMs)
    fail('BACKOFF_MAX_MS', `must be at least BACKOFF_INITIAL_MS (${backoffInitialMs})`);
  const ffmpegPath = readString(src, 'FFMPEG_PATH');
  return {
    port: readInt(src, 'CAPTURE_PORT', 3001, 0, 65535),
    host: readString(src, 'CAPTURE_HOST', '127.0.0.1'),
    ingestUrl,
    ingestToken,
    cameras: Object.freeze(
      parseCameras({
        file: readString(src, 'CAMERAS_FILE'),
        single: readString(src, 'CAMERA_URL'),
        singleId: readString(src, 'CAMERA_ID'),
        inline: inlineCameras,
        watchdogMs,
      }),
    ),
    ffmpegPath: ffmpegPath === undefined ? undefined : path.resolve(ffmpegPath),
    readTimeoutMs: readInt(src, 'READ_TIMEOUT_MS', 5000, 500, 120_000),
    backoffInitialMs,
    backoffMaxMs,
    probeIntervalMs: readInt(src, 'PROBE_INTERVAL_MS', 500, 0, 60_000),
    slowRetryMs: readInt(src, 'SLOW_RETRY_MS', 60_000, 1000, 3_600_000),
    killGraceMs: readInt(src, 'KILL_GRACE_MS', 2000, 100, 60_000),
    maxFrameBytes: readInt(src, 'MAX_FRAME_BYTES', DEFAULT_MAX_FRAME_BYTES, 1024, 64 * 1024 * 1024),
    postTimeoutMs: readInt(src, 'POST_TIMEOUT_MS', 5000, 100, 120_000),
    logLevel,
  };
}

/**
 * Parses capture's config from the environment and the optional JSON file named
 * by `CAPTURE_CONFIG_FILE` (same keys; env wins); cameras from `CAMERAS_FILE`,
 * `CAMERA_URL`, or the built-in test pattern. Throws ConfigError naming the key
 * (and the camera). Never echoes a camera URL's credentials.
 */
export function loadCaptureConfig(env: Readonly<Record<string, string | undefined>> = process.env): CaptureConfig {
  return Object.freeze(parse(loadConfigSource(env, 'CAPTURE_CONFIG_FILE', CAPTURE_CONFIG_KEYS)));
}

/** Config overrides for tests and embedding, keyed like the environment. */
export type CaptureOverrides = Partial<Record<(typeof CAPTURE_CONFIG_KEYS)[number], string | number>>;

/** Config for tests and embedding: defaults with `overrides`, and `cameras` given inline as in CAMERAS_FILE. */
export function captureConfig(overrides: CaptureOverrides = {}, cameras?: readonly unknown[]): CaptureConfig {
  return Object.freeze(parse(overrides, cameras));
}
