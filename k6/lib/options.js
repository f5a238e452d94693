// @ts-check
/**
 * k6 scenarios and thresholds built from the settings. The publisher scenario
 * is the benchmark publisher's rule in k6 terms: one arrival every 1/FPS s and
 * at most two VUs, so at most two requests in flight and a tick that finds both
 * busy is skipped (k6 counts it in `dropped_iterations`). No k6 import.
 */

/** @typedef {import('./env.js').LoadSettings} LoadSettings */

/** @typedef {import('k6/options').Scenario} Scenario a k6 scenario (type only: no k6 import at run time) */

/** Requests in flight per publisher, as in the benchmark and in capture. */
export const MAX_IN_FLIGHT = 2;

/** Trend statistics in the end-of-test summary: the benchmark's p50/p95/p99/max and more. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max', 'count'];

/** @param {number} ms */
const dur = (ms) => `${Math.round(ms)}ms`;

/**
 * A scenario name from a stream id (k6 allows letters, digits, `_` and `-`).
 * @param {string} prefix
 * @param {string} id
 */
export function scenarioName(prefix, id) {
  return `${prefix}_${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * One publisher scenario per stream, running the exported `publisher` function.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function publisherScenarios(s) {
  /** @type {Record<string, Scenario>} */
  const out = {};
  for (const id of s.streams) {
    const common = { exec: 'publisher', env: { STREAM_ID: id }, tags: { stream: id }, gracefulStop: '10s' };
    if (s.fps === 0) {
      // As fast as two requests in flight allow: two VUs posting back to back.
      out[scenarioName('publish', id)] = {
        executor: 'constant-vus',
        vus: MAX_IN_FLIGHT,
        duration: dur(s.durationMs),
        ...common,
      };
      continue;
    }
    const integer = Number.isInteger(s.fps);
    out[scenarioName('publish', id)] = {
      executor: 'constant-arrival-rate',
      rate: integer ? s.fps : Math.round(s.fps * 1000),
      timeUnit: integer ? '1s' : '1000s',
      duration: dur(s.durationMs),
      preAllocatedVUs: MAX_IN_FLIGHT,
      maxVUs: MAX_IN_FLIGHT,
      ...common,
    };
  }
  return out;
}

/**
 * Viewers that each watch for the whole run (viewers.js): VIEWERS VUs, one session each.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function viewerScenario(s) {
  return {
    viewers: {
      executor: 'per-vu-iterations',
      vus: s.viewers,
      iterations: 1,
      maxDuration: dur(s.durationMs + 60_000),
      exec: 'viewer',
      env: { SESSION_MS: String(s.durationMs), RUN_MS: String(s.durationMs) },
      tags: {},
      gracefulStop: '10s',
    },
  };
}

/**
 * Viewers that come and go (soak.js): VIEWERS VUs, each reconnecting every SESSION.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function soakViewerScenario(s) {
  return {
    viewers: {
      executor: 'constant-vus',
      vus: s.viewers,
      duration: dur(s.durationMs),
      exec: 'viewer',
      env: { SESSION_MS: String(s.sessionMs), RUN_MS: String(s.durationMs) },
      tags: {},
      gracefulStop: '10s',
    },
  };
}

/**
 * The stream API and resized snapshots every 5 s (soak.js), as dashboards and thumbnails would.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function apiScenario(s) {
  return {
    api: {
      executor: 'constant-arrival-rate',
      rate: 1,
      timeUnit: '5s',
      duration: dur(s.durationMs),
      preAllocatedVUs: 1,
      maxVUs: 2,
      exec: 'api',
      env: {},
      tags: {},
      gracefulStop: '10s',
    },
  };
}

/**
 * Thresholds for the parts a script runs. A run that misses one exits non-zero.
 * @param {LoadSettings} s
 * @param {{ publishers?: boolean, viewers?: boolean, api?: boolean, memory?: boolean }} parts
 * @returns {Record<string, string[]>}
 */
export function thresholds(s, parts) {
  const l = s.limits;
  /** @type {Record<string, string[]>} */
  const t = {};
  if (parts.publishers) {
    t['http_req_failed{name:publish}'] = [`rate<${l.errorRate}`];
    t['http_req_duration{name:publish}'] = [`p(95)<${l.p95PostMs}`];
    if (s.fps > 0) t.frames_accepted = [`rate>=${round(l.fpsRatio * s.fps * s.streams.length)}`];
  }
  if (parts.viewers) {
    t.frame_latency = [`p(95)<${l.p95LatencyMs}`];
    t.viewer_failed = [`rate<${l.errorRate}`];
    t.frame_dropped = [`rate<${l.dropRate}`];
    if (s.fps > 0) t.viewer_fps = [`med>=${round(l.fpsRatio * s.fps)}`];
  }
  if (parts.api) t['checks{scenario:api}'] = [`rate>=${round(1 - l.errorRate)}`];
  if (parts.memory && s.metricsUrl !== undefined) t.server_rss_growth_mb = [`max<${l.rssGrowthMb}`];
  return t;
}

/** @param {number} x */
function round(x) {
  return Math.round(x * 1000) / 1000;
}
