// Generated from the JSDoc of options.js by k6/tools/declarations.ts: do not edit.
/**
 * A scenario name from a stream id (k6 allows letters, digits, `_` and `-`).
 * @param {string} prefix
 * @param {string} id
 */
export function scenarioName(prefix: string, id: string): string;
/**
 * One publisher scenario per stream, running the exported `publisher` function.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function publisherScenarios(s: LoadSettings): Record<string, Scenario>;
/**
 * Viewers that each watch for the whole run (viewers.js): VIEWERS VUs, one session each.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function viewerScenario(s: LoadSettings): Record<string, Scenario>;
/**
 * Viewers that come and go (soak.js): VIEWERS VUs, each reconnecting every SESSION.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function soakViewerScenario(s: LoadSettings): Record<string, Scenario>;
/**
 * The stream API and resized snapshots every 5 s (soak.js), as dashboards and thumbnails would.
 * @param {LoadSettings} s
 * @returns {Record<string, Scenario>}
 */
export function apiScenario(s: LoadSettings): Record<string, Scenario>;
/**
 * Thresholds for the parts a script runs. A run that misses one exits non-zero.
 * @param {LoadSettings} s
 * @param {{ publishers?: boolean, viewers?: boolean, api?: boolean, memory?: boolean }} parts
 * @returns {Record<string, string[]>}
 */
export function thresholds(
  s: LoadSettings,
  parts: {
    publishers?: boolean;
    viewers?: boolean;
    api?: boolean;
    memory?: boolean;
  },
): Record<string, string[]>;
/**
 * k6 scenarios and thresholds built from the settings. The publisher scenario
 * is the benchmark publisher's rule in k6 terms: one arrival every 1/FPS s and
 * at most two VUs, so at most two requests in flight and a tick that finds both
 * busy is skipped (k6 counts it in `dropped_iterations`). No k6 import.
 */
/** @typedef {import('./env.js').LoadSettings} LoadSettings */
/** @typedef {import('k6/options').Scenario} Scenario a k6 scenario (type only: no k6 import at run time) */
/** Requests in flight per publisher, as in the benchmark and in capture. */
export const MAX_IN_FLIGHT: 2;
/** Trend statistics in the end-of-test summary: the benchmark's p50/p95/p99/max and more. */
export const SUMMARY_TREND_STATS: string[];
export type LoadSettings = import('./env.js').LoadSettings;
/**
 * a k6 scenario (type only: no k6 import at run time)
 */
export type Scenario = import('k6/options').Scenario;
