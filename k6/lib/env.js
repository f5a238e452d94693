// @ts-check
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
export const ENV_KEYS = [
  'BASE_URL',
  'STREAMS',
  'FPS',
  'FRAMES',
  'DURATION',
  'WARMUP',
  'VIEWERS',
  'ACK',
  'PUBLISH',
  'SESSION',
  'INGEST_TOKEN',
  'VIEWER_TOKEN',
  'METRICS_URL',
  'MAX_P95_LATENCY_MS',
  'MAX_P95_POST_MS',
  'MAX_ERROR_RATE',
  'MAX_DROP_RATE',
  'MIN_FPS_RATIO',
  'MAX_RSS_GROWTH_MB',
];

/** Same rule as ingest's stream ids (shared/stream-id.ts). */
const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const UNITS = /** @type {Record<string, number>} */ ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 });

/**
 * Milliseconds of a k6-style duration: `500ms`, `30s`, `5m`, `1h30m`, `1.5h`.
 * @param {string} text
 * @param {string} key named in the error
 * @returns {number}
 */
export function parseDuration(text, key) {
  const s = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(s); m !== null; m = part.exec(s)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * /** @type {number} */ (UNITS[/** @type {string} */ (m[2])]);
    consumed = m.index + m[0].length;
  }
  if (s === '' || consumed !== s.length) {
    throw new Error(`${key}: must be a duration such as 30s, 5m or 1h30m, got ${JSON.stringify(text)}`);
  }
  return Math.round(total);
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} key
 * @param {number} min
 * @param {number} max
 * @param {boolean} integer
 */
function num(env, key, min, max, integer) {
  const raw = /** @type {string} */ (env[key]).trim();
  const n = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    const what = integer ? 'an integer' : 'a number';
    throw new Error(`${key}: must be ${what} from ${min} to ${max}, got ${JSON.stringify(env[key])}`);
  }
  return n;
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} key
 */
function bool(env, key) {
  const raw = /** @type {string} */ (env[key]).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${key}: must be 1 or 0, got ${JSON.stringify(env[key])}`);
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} key
 */
function list(env, key) {
  return /** @type {string} */ (env[key])
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Defaults shared by the scripts; each script may override some (`DURATION`, `VIEWERS`). */
export const DEFAULTS = Object.freeze({
  BASE_URL: 'http://127.0.0.1:3000',
  STREAMS: 'load0',
  FPS: '30',
  FRAMES: '',
  DURATION: '30s',
  WARMUP: '3s',
  VIEWERS: '100',
  ACK: '1',
  PUBLISH: '0',
  SESSION: '5m',
  MAX_P95_LATENCY_MS: '200',
  MAX_P95_POST_MS: '200',
  MAX_ERROR_RATE: '0.01',
  MAX_DROP_RATE: '0.05',
  MIN_FPS_RATIO: '0.9',
  MAX_RSS_GROWTH_MB: '200',
});

/**
 * Reads the settings from `env` over `defaults` (empty values count as unset).
 * Throws an Error whose message starts with the key at fault.
 * @param {Record<string, string | undefined>} env k6's `__ENV`
 * @param {Partial<Record<keyof typeof DEFAULTS, string>>} [overrides] the script's own defaults
 * @returns {Readonly<LoadSettings>}
 */
export function parseEnv(env, overrides = {}) {
  /** @type {Record<string, string | undefined>} */
  const e = { ...DEFAULTS, ...overrides };
  for (const key of ENV_KEYS) {
    const v = env[key];
    if (v !== undefined && v !== '') e[key] = v;
  }

  const baseUrl = /** @type {string} */ (e.BASE_URL).trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(baseUrl)) {
    throw new Error(`BASE_URL: must be an http:// or https:// URL, got ${JSON.stringify(e.BASE_URL)}`);
  }
  const streams = list(e, 'STREAMS');
  if (streams.length === 0) throw new Error('STREAMS: must name at least one stream');
  for (const id of streams) {
    if (!STREAM_ID.test(id))
      throw new Error(`STREAMS: ${JSON.stringify(id)} is not a stream id ([A-Za-z0-9][A-Za-z0-9_.-]{0,63})`);
  }
  if (new Set(streams).size !== streams.length) throw new Error('STREAMS: a stream is named twice');
  for (const key of ['INGEST_TOKEN', 'VIEWER_TOKEN']) {
    const t = e[key];
    if (t !== undefined && t.length < 8) throw new Error(`${key}: must be at least 8 characters when set`);
  }
  const metrics = e.METRICS_URL?.trim();
  const durationMs = parseDuration(/** @type {string} */ (e.DURATION), 'DURATION');
  if (durationMs < 1000) throw new Error('DURATION: must be at least 1s');
  const warmupMs = parseDuration(/** @type {string} */ (e.WARMUP), 'WARMUP');
  if (warmupMs >= durationMs) throw new Error(`WARMUP: must be shorter than DURATION (${e.DURATION})`);
  const sessionMs = parseDuration(/** @type {string} */ (e.SESSION), 'SESSION');
  if (sessionMs <= warmupMs) throw new Error(`SESSION: must be longer than WARMUP (${e.WARMUP})`);

  return Object.freeze({
    baseUrl,
    wsBase: baseUrl.replace(/^http/, 'ws'),
    streams,
    fps: num(e, 'FPS', 0, 1000, false),
    frames: list(e, 'FRAMES'),
    durationMs,
    warmupMs,
    viewers: num(e, 'VIEWERS', 0, 100_000, true),
    ack: bool(e, 'ACK'),
    publish: bool(e, 'PUBLISH'),
    sessionMs,
    ingestToken: e.INGEST_TOKEN,
    viewerToken: e.VIEWER_TOKEN,
    metricsUrl: metrics === 'off' ? undefined : (metrics ?? `${baseUrl}/metrics`),
    limits: Object.freeze({
      p95LatencyMs: num(e, 'MAX_P95_LATENCY_MS', 1, 600_000, false),
      p95PostMs: num(e, 'MAX_P95_POST_MS', 1, 600_000, false),
      errorRate: num(e, 'MAX_ERROR_RATE', 0, 1, false),
      dropRate: num(e, 'MAX_DROP_RATE', 0, 1, false),
      fpsRatio: num(e, 'MIN_FPS_RATIO', 0, 1, false),
      rssGrowthMb: num(e, 'MAX_RSS_GROWTH_MB', 1, 1_000_000, false),
    }),
  });
}

/**
 * `Authorization` header for a token, or none.
 * @param {string | undefined} token
 * @returns {Record<string, string>}
 */
export function bearer(token) {
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}
