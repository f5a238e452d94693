// @ts-check
/* global __ENV, open */
/**
 * Publishers: one per stream in STREAMS, each posting msgpack JPEG frames to
 * `POST /streams/:id/frames` at FPS with at most two requests in flight (a tick
 * that finds both busy is skipped), for DURATION. The benchmark's publisher in k6.
 *
 *   k6 run -e BASE_URL=https://cams.example.com -e INGEST_TOKEN=... -e STREAMS=cam1,cam2 -e FPS=15 k6/ingest.js
 *   k6 run -e FPS=0 -e DURATION=6s k6/ingest.js        # throughput: as fast as two requests in flight allow
 *
 * Settings: k6/README.md. Thresholds: publish errors, publish p95, accepted frames/s.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { parseEnv } from './lib/env.js';
import { publisherScenarios, SUMMARY_TREND_STATS, thresholds } from './lib/options.js';
import { envelopeBody, frameFor, loadFrames, publishTarget } from './lib/publisher.js';

const settings = parseEnv(__ENV, { DURATION: '30s' });

// open() works only here, in the init context; the default frame is the benchmark's 1280x720 payload.
const frameFiles = settings.frames.length > 0 ? settings.frames : [import.meta.resolve('./frames/720p.jpg')];
const frames = loadFrames(
  frameFiles.map((f) => open(f, 'b')),
  frameFiles,
);

/** Frames ingest accepted (204): the benchmark's `acceptedFps` is this counter's rate. */
const framesAccepted = new Counter('frames_accepted');
/** Frames ingest refused, tagged with the status. */
const framesRefused = new Counter('frames_refused');

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: publisherScenarios(settings),
  thresholds: thresholds(settings, { publishers: true }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

/**
 * One frame from the publisher of the scenario's stream (STREAM_ID in the scenario's env).
 * `seq` is the scenario's iteration number + 1: increasing per stream, as ingest expects.
 */
export async function publisher() {
  const streamId = /** @type {string} */ (__ENV.STREAM_ID);
  const seq = exec.scenario.iterationInTest + 1;
  const { url, headers } = publishTarget(settings, streamId);
  const body = envelopeBody(frameFor(frames, seq), streamId, seq, Date.now());
  const res = await http.asyncRequest('POST', url, body, {
    headers,
    tags: { name: 'publish', stream: streamId },
    responseType: 'none',
  });
  const ok = check(res, { 'frame accepted (204)': (r) => r.status === 204 });
  if (ok) framesAccepted.add(1, { stream: streamId });
  else framesRefused.add(1, { stream: streamId, status: String(res.status) });
}
