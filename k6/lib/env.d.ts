// Generated from the JSDoc of env.js by k6/tools/declarations.ts: do not edit.
/**
 * Milliseconds of a k6-style duration: `500ms`, `30s`, `5m`, `1h30m`, `1.5h`.
 * @param {string} text
 * @param {string} key named in the error
 * @returns {number}
 */
export function parseDuration(text: string, key: string): number;
/**
 * Reads the settings from `env` over `defaults` (empty values count as unset).
 * Throws an Error whose message starts with the key at fault.
 * @param {Record<string, string | undefined>} env k6's `__ENV`
 * @param {Partial<Record<keyof typeof DEFAULTS, string>>} [overrides] the script's own defaults
 * @returns {Readonly<LoadSettings>}
 */
export function parseEnv(
  env: Record<string, string | undefined>,
  overrides?: Partial<Record<keyof typeof DEFAULTS, string>>,
): Readonly<LoadSettings>;
/**
 * `Authorization` header for a token, or none.
 * @param {string | undefined} token
 * @returns {Record<string, string>}
 */
export function bearer(token: string | undefined): Record<string, string>;
/**
 * The load scripts' settings, read once from k6's `__ENV` (`k6 run -e KEY=value`).
 * Every key, its default and meaning is in k6/README.md. A bad value throws an
 * error naming the key before any load starts. No k6 import: tested in Node.
 */
/**
 * @typedef {object} LoadSettings
 * @property {string} baseUrl `BASE_URL`, default `http://127.0.0.1:3000`: ingest's HTTP base, no trailing slash.
 * @property {string} wsBase `baseUrl` with `ws:`/`wss:` for viewers.
 * @property {string[]} streams `STREAMS`, default `load0`: comma-separated stream ids; one publisher each, viewers spread over them.
 * @property {number} fps `FPS`, default 30: frames per second per publisher (0: as fast as two requests in flight allow); viewers expect it.
 * @property {string[]} frames `FRAMES`: comma-separated JPEG files, sent in turn; default the built-in 1280x720 frame.
 * @property {number} durationMs `DURATION`, default per script: how long publishers publish and viewers watch.
 * @property {number} warmupMs `WARMUP`, default 3s: a viewer measures from this long after it connects.
 * @property {number} viewers `VIEWERS`, default per script: WebSocket viewers.
 * @property {boolean} ack `ACK`, default 1: viewers acknowledge each frame (as the player does); 0 behaves like the seed player.
 * @property {boolean} publish `PUBLISH`, default 0 (viewers.js): also run the publishers, so viewers.js alone loads ingest like the benchmark.
 * @property {number} sessionMs `SESSION`, default 5m (soak.js): a viewer reconnects after this long.
 * @property {string | undefined} ingestToken `INGEST_TOKEN`: sent as `Authorization: Bearer` by publishers.
 * @property {string | undefined} viewerToken `VIEWER_TOKEN`: sent as `Authorization: Bearer` by viewers and API calls.
 * @property {string | undefined} metricsUrl `METRICS_URL`, default `BASE_URL/metrics` (soak.js): where server memory is read; `off` skips it.
 * @property {Limits} limits thresholds; a run that misses one exits non-zero.
 */
/**
 * @typedef {object} Limits
 * @property {number} p95LatencyMs `MAX_P95_LATENCY_MS`, default 200: publisher -> viewer latency, 95th percentile.
 * @property {number} p95PostMs `MAX_P95_POST_MS`, default 200: publish request duration, 95th percentile.
 * @property {number} errorRate `MAX_ERROR_RATE`, default 0.01: failed publishes, failed viewer sessions.
 * @property {number} dropRate `MAX_DROP_RATE`, default 0.05: frames a viewer missed (seq gaps) over frames it saw plus missed.
 * @property {number} fpsRatio `MIN_FPS_RATIO`, default 0.9: accepted frames/s and median viewer fps, as a share of `FPS`.
 * @property {number} rssGrowthMb `MAX_RSS_GROWTH_MB`, default 200 (soak.js): server memory growth over the run.
 */
/** Every key the scripts read. */
export const ENV_KEYS: string[];
/** Defaults shared by the scripts; each script may override some (`DURATION`, `VIEWERS`). */
export const DEFAULTS: Readonly<{
  BASE_URL: 'http://127.0.0.1:3000';
  STREAMS: 'load0';
  FPS: '30';
  FRAMES: '';
  DURATION: '30s';
  WARMUP: '3s';
  VIEWERS: '100';
  ACK: '1';
  PUBLISH: '0';
  SESSION: '5m';
  MAX_P95_LATENCY_MS: '200';
  MAX_P95_POST_MS: '200';
  MAX_ERROR_RATE: '0.01';
  MAX_DROP_RATE: '0.05';
  MIN_FPS_RATIO: '0.9';
  MAX_RSS_GROWTH_MB: '200';
}>;
export type LoadSettings = {
  /**
   * `BASE_URL`, default `http://127.0.0.1:3000`: ingest's HTTP base, no trailing slash.
   */
  baseUrl: string;
  /**
   * `baseUrl` with `ws:`/`wss:` for viewers.
   */
  wsBase: string;
  /**
   * `STREAMS`, default `load0`: comma-separated stream ids; one publisher each, viewers spread over them.
   */
  streams: string[];
  /**
   * `FPS`, default 30: frames per second per publisher (0: as fast as two requests in flight allow); viewers expect it.
   */
  fps: number;
  /**
   * `FRAMES`: comma-separated JPEG files, sent in turn; default the built-in 1280x720 frame.
   */
  frames: string[];
  /**
   * `DURATION`, default per script: how long publishers publish and viewers watch.
   */
  durationMs: number;
  /**
   * `WARMUP`, default 3s: a viewer measures from this long after it connects.
   */
  warmupMs: number;
  /**
   * `VIEWERS`, default per script: WebSocket viewers.
   */
  viewers: number;
  /**
   * `ACK`, default 1: viewers acknowledge each frame (as the player does); 0 behaves like the seed player.
   */
  ack: boolean;
  /**
   * `PUBLISH`, default 0 (viewers.js): also run the publishers, so viewers.js alone loads ingest like the benchmark.
   */
  publish: boolean;
  /**
   * `SESSION`, default 5m (soak.js): a viewer reconnects after this long.
   */
  sessionMs: number;
  /**
   * `INGEST_TOKEN`: sent as `Authorization: Bearer` by publishers.
   */
  ingestToken: string | undefined;
  /**
   * `VIEWER_TOKEN`: sent as `Authorization: Bearer` by viewers and API calls.
   */
  viewerToken: string | undefined;
  /**
   * `METRICS_URL`, default `BASE_URL/metrics` (soak.js): where server memory is read; `off` skips it.
   */
  metricsUrl: string | undefined;
  /**
   * thresholds; a run that misses one exits non-zero.
   */
  limits: Limits;
};
export type Limits = {
  /**
   * `MAX_P95_LATENCY_MS`, default 200: publisher -> viewer latency, 95th percentile.
   */
  p95LatencyMs: number;
  /**
   * `MAX_P95_POST_MS`, default 200: publish request duration, 95th percentile.
   */
  p95PostMs: number;
  /**
   * `MAX_ERROR_RATE`, default 0.01: failed publishes, failed viewer sessions.
   */
  errorRate: number;
  /**
   * `MAX_DROP_RATE`, default 0.05: frames a viewer missed (seq gaps) over frames it saw plus missed.
   */
  dropRate: number;
  /**
   * `MIN_FPS_RATIO`, default 0.9: accepted frames/s and median viewer fps, as a share of `FPS`.
   */
  fpsRatio: number;
  /**
   * `MAX_RSS_GROWTH_MB`, default 200 (soak.js): server memory growth over the run.
   */
  rssGrowthMb: number;
};
