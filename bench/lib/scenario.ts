import WebSocket from 'ws';
import type { Payload } from './payload.js';
import { sampleProc } from './proc-stats.js';
import { cpuSeconds } from './proc-tree.js';
import { publish, type PublishResult } from './publisher.js';
import { summarize } from './stats.js';
import type { Target } from './targets.js';
import { ViewerPool } from './viewer-pool.js';
import type { ViewerJob } from './viewer-worker.js';

/** One load point. */
export interface Scenario {
  readonly name: string;
  /** Streams, each with its own publisher. Default 1. */
  readonly streams?: number;
  /** Viewers in all, spread over the streams. */
  readonly viewers: number;
  /** How many of them stop reading. */
  readonly paused: number;
  /** Viewers acknowledge frames, as our player does. */
  readonly ack: boolean;
  /** Frames per second per publisher; 0: as fast as two requests in flight allow. */
  readonly fps: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  /**
   * Before viewers join, the first stream gets frames as fast as the server
   * takes them for this long, so V8 has compiled the per-frame code. At 30 fps
   * a fresh process is still compiling it well past a short warm-up (ours'
   * publish path reached V8's optimizing tier about 30 s in), and the window
   * would measure the JIT's start-up work instead of a running server.
   */
  readonly primeMs?: number;
  /** Viewers that join one by one while frames flow, timing open -> first frame. */
  readonly lateJoiners: number;
}

/** One load point's figures. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly target: string;
  readonly streams: number;
  readonly viewers: number;
  readonly paused: number;
  readonly ack: boolean;
  readonly fps: number;
  readonly payloadBytes: number;
  /** Frames per second the server accepted (all publishers), during the whole run. */
  readonly acceptedFps: number;
  /** Frames the publishers could not send because two requests were already in flight. */
  readonly publisherSkipped: number;
  readonly statuses: Record<string, number>;
  /** publisher -> viewer, ms. */
  readonly latencyMs?: ReturnType<typeof summarize>;
  /** ingest -> viewer, ms (servers that stamp frames). */
  readonly ingestLatencyMs?: ReturnType<typeof summarize>;
  /** Messages per second per reading viewer. */
  readonly viewerFps?: { readonly min: number; readonly median: number };
  /** Bits per second per reading viewer. */
  readonly viewerBitrate?: number;
  readonly gaps?: number;
  readonly closes?: Record<string, number>;
  /** ms from socket open to first frame, late joiners. */
  readonly firstFrameMs?: ReturnType<typeof summarize>;
  /** Frames the server accepted while being primed (see Scenario.primeMs). */
  readonly primedFrames?: number;
  /** Server CPU during the window, in cores (1.0 = one core busy). */
  readonly serverCpu: number;
  /** The load generators' CPU during the window (viewer workers, publishers), in cores: they share the machine. */
  readonly loadCpu: number;
  readonly rssMb: { readonly start: number; readonly end: number; readonly max: number; readonly samples: number[] };
}

const MB = 1024 * 1024;
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

/** Connects `n` viewers one after another; ms from each socket's open to its first binary message. */
async function lateJoiners(url: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(url);
    try {
      times.push(
        await new Promise<number>((resolve, reject) => {
          let opened = 0;
          ws.once('open', () => (opened = performance.now()));
          ws.on('message', (_d, isBinary) => isBinary && resolve(round(performance.now() - opened, 2)));
          ws.once('error', reject);
          setTimeout(() => reject(new Error('late joiner got no frame in 5 s')), 5000);
        }),
      );
    } finally {
      ws.terminate();
    }
  }
  return times;
}

/**
 * Posts frames to `streamId` as fast as the server takes them for `primeMs`
 * while `viewer` (one benchmark viewer, reading and acknowledging like the
 * measured ones) is connected, so the viewer side of the code is compiled
 * too. That viewer is gone before the measured viewers join.
 */
async function prime(
  postBase: string,
  streamId: string,
  payload: Payload,
  primeMs: number,
  viewer: ViewerJob,
): Promise<PublishResult> {
  const pool = await ViewerPool.start(viewer, 1);
  try {
    return await publish(postBase, streamId, payload, 0, primeMs);
  } finally {
    pool.kill();
  }
}

/** Starts `target`, loads it as `s` says, measures, stops it. */
export async function runScenario(target: Target, s: Scenario, payload: Payload, workers = 2): Promise<ScenarioResult> {
  const server = await target.start();
  let pool: ViewerPool | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    const streamIds = Array.from({ length: s.streams ?? 1 }, (_, i) => `bench${i}`);
    const urls = streamIds.map((id) => server.wsUrl(id));
    const viewers = { ack: s.ack, mode: target.mode, warmupMs: s.warmupMs, windowMs: s.windowMs };
    const primed =
      s.primeMs && server.postBase
        ? await prime(server.postBase, streamIds[0] as string, payload, s.primeMs, {
            ...viewers,
            urls: urls.slice(0, 1),
            count: 1,
            paused: 0,
          })
        : undefined;
    if (s.viewers > 0) {
      pool = await ViewerPool.start(
        { ...viewers, urls, count: s.viewers, paused: s.paused },
        Math.min(workers, s.viewers),
      );
    }
    const rss: number[] = [];
    let cpu0 = 0;
    let cpu1: number | undefined;
    let load0 = 0;
    let load1: number | undefined;
    const loadCpu = (): number => {
      const self = process.cpuUsage();
      return cpuSeconds(pool?.pids() ?? []) + (self.user + self.system) / 1e6;
    };
    let t0 = 0;
    let t1 = 0;
    timers.push(setInterval(() => rss.push(sampleProc(server.mainPid).rssBytes), 1000));
    timers.push(
      setTimeout(() => {
        cpu0 = cpuSeconds(server.pids());
        load0 = loadCpu();
        t0 = performance.now();
      }, s.warmupMs),
    );
    timers.push(
      setTimeout(() => {
        cpu1 = cpuSeconds(server.pids());
        load1 = loadCpu();
        t1 = performance.now();
      }, s.warmupMs + s.windowMs),
    );
    const measured = pool?.run();
    const lateJoin =
      s.lateJoiners > 0
        ? new Promise((r) => setTimeout(r, s.warmupMs)).then(() => lateJoiners(urls[0] as string, s.lateJoiners))
        : undefined;
    const runMs = s.warmupMs + s.windowMs + 100;
    const postBase = server.postBase;
    const pubs: PublishResult[] = postBase
      ? await Promise.all(
          streamIds.map((id, i) =>
            publish(postBase, id, payload, s.fps, runMs, { afterSeq: i === 0 ? (primed?.lastSeq ?? 0) : 0 }),
          ),
        )
      : (await new Promise((r) => setTimeout(r, runMs)), []);
    const views = await measured;
    const firstFrames = await lateJoin;
    for (const t of timers) clearTimeout(t);
    if (cpu1 === undefined || load1 === undefined) {
      cpu1 = cpuSeconds(server.pids());
      load1 = loadCpu();
      t1 = performance.now();
    }
    const frames = views ? [...views.frames].sort((a, b) => a - b) : [];
    const windowSec = s.windowMs / 1000;
    const statuses: Record<string, number> = {};
    for (const p of pubs) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    const accepted = pubs.reduce((a, p) => a + p.accepted, 0);
    const seconds = pubs.length ? Math.max(...pubs.map((p) => p.seconds)) : runMs / 1000;
    return {
      scenario: s.name,
      target: server.name,
      streams: streamIds.length,
      viewers: s.viewers,
      paused: s.paused,
      ack: s.ack,
      fps: s.fps,
      payloadBytes: payload.jpeg.length,
      acceptedFps: round(accepted / seconds),
      publisherSkipped: pubs.reduce((a, p) => a + p.skipped, 0),
      statuses,
      ...(views && {
        ...(views.latencies.length > 0 && { latencyMs: summarize(views.latencies) }),
        ...(views.ingestLatencies.length > 0 && { ingestLatencyMs: summarize(views.ingestLatencies) }),
        viewerFps: {
          min: round((frames[0] ?? 0) / windowSec),
          median: round((frames[frames.length >> 1] ?? 0) / windowSec),
        },
        viewerBitrate: Math.round((views.bytes * 8) / windowSec / Math.max(1, frames.length)),
        gaps: views.gaps,
        closes: views.closes,
      }),
      ...(firstFrames && { firstFrameMs: summarize(firstFrames) }),
      ...(primed && { primedFrames: primed.accepted }),
      serverCpu: round((cpu1 - cpu0) / Math.max(0.001, (t1 - t0) / 1000), 3),
      loadCpu: round((load1 - load0) / Math.max(0.001, (t1 - t0) / 1000), 3),
      rssMb: {
        start: round((rss[Math.floor(s.warmupMs / 1000)] ?? rss[0] ?? 0) / MB),
        end: round((rss[rss.length - 1] ?? 0) / MB),
        max: round(Math.max(0, ...rss) / MB),
        samples: rss.map((b) => round(b / MB)),
      },
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    pool?.kill();
    await server.stop();
  }
}
