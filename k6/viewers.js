// @ts-check
/* global __ENV */
/**
 * Viewers: VIEWERS WebSockets on `/streams/:id/ws` (spread over STREAMS), each
 * watching for DURATION. Each acknowledges every frame at once (ACK=1, as the
 * player does), counts frames, times them from the envelope (`timestamp`:
 * publisher -> viewer; `receivedAt`: ingest -> viewer) after WARMUP, and
 * reports seq gaps (frames ingest dropped for it) and ingest's own drop count.
 * The benchmark's viewer in k6.
 *
 *   k6 run -e BASE_URL=https://cams.example.com -e VIEWER_TOKEN=... -e STREAMS=cam1 -e FPS=15 k6/viewers.js
 *   k6 run -e PUBLISH=1 k6/viewers.js          # also publish, like `npm run bench:ingest`'s "100 viewers, ack"
 *
 * Settings: k6/README.md. Thresholds: latency p95, failed sessions, drop rate, median viewer fps.
 */
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { clearTimeout, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { bearer, parseEnv } from './lib/env.js';
import { publisherScenarios, SUMMARY_TREND_STATS, thresholds, viewerScenario } from './lib/options.js';
import { streamFor, ViewerSession } from './lib/viewer.js';
import { publisher } from './ingest.js';

export { publisher };

const settings = parseEnv(__ENV, { DURATION: '23s' });

/** publisher -> viewer, ms: Date.now() on receipt - the envelope's `timestamp`. */
const frameLatency = new Trend('frame_latency', true);
/** ingest -> viewer, ms: Date.now() on receipt - `receivedAt` (ingest's clock). */
const ingestLatency = new Trend('ingest_latency', true);
/** Socket open -> first frame, ms (the benchmark's late joiners). */
const firstFrame = new Trend('time_to_first_frame', true);
/** Frames per second one viewer received in its window (the benchmark's viewer fps min/median). */
const viewerFps = new Trend('viewer_fps');
/** Frames received in the window, all viewers. */
const framesReceived = new Counter('frames_received');
/** Bytes received in the window, all viewers. */
const bytesReceived = new Counter('frame_bytes_received');
/** Per frame: false when received, true for each seq skipped before it (ingest dropped it for this viewer). */
const frameDropped = new Rate('frame_dropped');
/** Seqs skipped, all viewers (the benchmark's `gaps`). */
const frameGaps = new Counter('frame_gaps');
/** Frames ingest says it dropped for the viewers (their last `stats` message). */
const serverDropped = new Counter('server_dropped_frames');
/** Per session: true when the socket never opened or the server closed it early. */
const viewerFailed = new Rate('viewer_failed');
/** `stream_stalled` messages received. */
const streamStalls = new Counter('stream_stalls');

const parts = { publishers: settings.publish, viewers: true };

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: { ...viewerScenario(settings), ...(settings.publish ? publisherScenarios(settings) : {}) },
  thresholds: thresholds(settings, parts),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

/**
 * One viewer session: connects, watches for SESSION_MS (capped at the run's end),
 * then closes. Resolves when the socket has closed.
 * @returns {Promise<void>}
 */
export async function viewer() {
  const runMs = Number(__ENV.RUN_MS);
  const remaining = exec.scenario.startTime + runMs - Date.now();
  const sessionMs = Math.max(0, Math.min(Number(__ENV.SESSION_MS), remaining));
  if (sessionMs <= settings.warmupMs) {
    // Too little of the run left to measure anything (soak.js's last reconnects): idle it out.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, remaining)));
    return;
  }
  const streamId = streamFor(settings.streams, exec.scenario.iterationInTest);
  const tags = { stream: streamId };
  const session = new ViewerSession({ ack: settings.ack, warmupMs: settings.warmupMs, sessionMs });
  await /** @type {Promise<void>} */ (
    new Promise((resolve) => {
      const ws = new WebSocket(`${settings.wsBase}/streams/${encodeURIComponent(streamId)}/ws`, null, {
        headers: bearer(settings.viewerToken),
        tags,
      });
      ws.binaryType = 'arraybuffer';
      let ending = false;
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timer;
      ws.onopen = () => {
        session.open(Date.now());
        timer = setTimeout(() => {
          ending = true;
          ws.close();
        }, sessionMs);
      };
      ws.onmessage = (event) => {
        const now = Date.now();
        const data = event?.data;
        if (typeof data === 'string') return session.text(data);
        if (!(data instanceof ArrayBuffer)) return;
        const { ack, sample } = session.binary(data, now);
        if (ack !== undefined) ws.send(ack);
        if (sample === undefined) return;
        frameLatency.add(sample.latencyMs, tags);
        if (sample.ingestLatencyMs !== undefined) ingestLatency.add(sample.ingestLatencyMs, tags);
        framesReceived.add(1, tags);
        bytesReceived.add(sample.bytes, tags);
        frameDropped.add(false, tags);
        for (let i = 0; i < sample.gap; i++) frameDropped.add(true, tags);
      };
      let done = false;
      /** @param {boolean} closedByServer */
      const finish = (closedByServer) => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        const s = session.summary(Date.now(), closedByServer);
        viewerFailed.add(!s.opened || s.closedEarly, tags);
        if (s.fps !== undefined) viewerFps.add(s.fps, tags);
        if (s.firstFrameMs !== undefined) firstFrame.add(s.firstFrameMs, tags);
        frameGaps.add(s.gaps, tags);
        serverDropped.add(s.serverDropped, tags);
        streamStalls.add(s.stalls, tags);
        resolve();
      };
      // A socket that never opens reports an error and may never report a close.
      ws.onerror = () => {
        if (ws.readyState !== WebSocket.OPEN) finish(!ending);
      };
      ws.onclose = () => finish(!ending);
    })
  );
}
