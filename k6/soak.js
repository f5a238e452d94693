// @ts-check
/* global __ENV */
/**
 * Soak: everything at once for a long time (DURATION, default 1h). Publishers
 * as in ingest.js, viewers as in viewers.js that reconnect every SESSION (so
 * viewers keep joining and leaving), the stream API and resized snapshots every
 * 5 s, and the server's memory read from `/metrics` at the start and the end.
 *
 *   k6 run -e BASE_URL=https://cams.example.com -e INGEST_TOKEN=... -e VIEWER_TOKEN=... -e VIEWERS=200 k6/soak.js
 *
 * Settings: k6/README.md. Thresholds: those of both scripts, API checks, memory growth.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Trend } from 'k6/metrics';
import { bearer, parseEnv } from './lib/env.js';
import { apiScenario, publisherScenarios, soakViewerScenario, SUMMARY_TREND_STATS, thresholds } from './lib/options.js';
import { residentBytes } from './lib/prom-text.js';
import { streamFor } from './lib/viewer.js';
import { publisher } from './ingest.js';
import { viewer } from './viewers.js';

export { publisher, viewer };

const settings = parseEnv(__ENV, { DURATION: '1h', VIEWERS: '50' });

/** Server resident memory at the end minus at the start, MB. */
const rssGrowth = new Trend('server_rss_growth_mb');

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    ...publisherScenarios(settings),
    ...soakViewerScenario(settings),
    ...apiScenario(settings),
  },
  thresholds: thresholds(settings, { publishers: true, viewers: true, api: true, memory: true }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

/**
 * The server's resident memory now, bytes; throws when METRICS_URL does not answer with it.
 * @returns {number}
 */
function serverRss() {
  const url = /** @type {string} */ (settings.metricsUrl);
  const res = http.get(url, { tags: { name: 'metrics' } });
  const bytes = res.status === 200 && typeof res.body === 'string' ? residentBytes(res.body) : undefined;
  if (bytes === undefined) {
    throw new Error(
      `METRICS_URL: ${url} answered ${res.status} without process_resident_memory_bytes (METRICS_URL=off skips it)`,
    );
  }
  return bytes;
}

/** @returns {{ rss: number | undefined }} */
export function setup() {
  return { rss: settings.metricsUrl === undefined ? undefined : serverRss() };
}

/** @param {{ rss: number | undefined }} data */
export function teardown(data) {
  if (data.rss !== undefined) rssGrowth.add((serverRss() - data.rss) / (1024 * 1024));
}

/** The stream list, one stream's status and a 320 px snapshot, in turn over the streams. */
export async function api() {
  const id = streamFor(settings.streams, exec.scenario.iterationInTest);
  const params = { headers: bearer(settings.viewerToken), tags: { name: 'api' } };
  const [list, one, snap] = await Promise.all([
    http.asyncRequest('GET', `${settings.baseUrl}/streams`, null, params),
    http.asyncRequest('GET', `${settings.baseUrl}/streams/${encodeURIComponent(id)}`, null, params),
    http.asyncRequest('GET', `${settings.baseUrl}/streams/${encodeURIComponent(id)}/snapshot.jpg?width=320`, null, {
      ...params,
      responseType: 'none',
    }),
  ]);
  check(list, { 'GET /streams 200': (r) => r.status === 200 });
  check(one, {
    'stream is live': (r) => r.status === 200 && typeof r.body === 'string' && JSON.parse(r.body).status === 'live',
  });
  check(snap, { 'snapshot 200': (r) => r.status === 200 });
}
