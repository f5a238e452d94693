/**
 * Ingest figures: accepted frames/s for one publisher, ingest->viewer latency
 * with many viewers, and server memory with paused viewers. Ingest runs as its
 * own process (as deployed); viewers run in worker processes; server CPU and
 * RSS come from /proc. Prints a Markdown table and writes JSON to bench/results/.
 *
 *   npm run bench:ingest            full run (~2 minutes)
 *   npm run bench:ingest -- --smoke a few seconds, a few viewers (run by the tests)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { spawnIngest, type IngestProcess } from '../services/ingest/test/helpers.js';
import { makePayload, type Payload } from './lib/payload.js';
import { cpuBetween, sampleProc, type ProcSample } from './lib/proc-stats.js';
import { publish } from './lib/publisher.js';
import { summarize } from './lib/stats.js';
import { ViewerPool } from './lib/viewer-pool.js';

/** One scenario's figures. */
export interface ScenarioResult {
  readonly name: string;
  readonly viewers: number;
  readonly paused: number;
  readonly ack: boolean;
  readonly fps: number;
  readonly payloadBytes: number;
  readonly seconds: number;
  readonly acceptedFps: number;
  readonly publisherSkipped: number;
  readonly statuses: Record<string, number>;
  readonly latencyMs?: ReturnType<typeof summarize>;
  readonly viewerFps?: { min: number; median: number };
  readonly gaps?: number;
  readonly closes?: Record<string, number>;
  readonly firstFrameMs?: ReturnType<typeof summarize>;
  readonly serverCpu: { user: number; sys: number; total: number };
  readonly rssMb: { start: number; end: number; max: number; samples: number[] };
}

interface Scenario {
  readonly name: string;
  readonly viewers: number;
  readonly paused: number;
  readonly ack: boolean;
  /** 0: as fast as the publisher can. */
  readonly fps: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  /** Viewers that connect one by one while frames flow, timing open -> first frame. */
  readonly lateJoiners: number;
  readonly env?: Record<string, string>;
}

/** Connects `n` viewers one after another; ms from each socket's open to its first frame. */
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

const MB = 1024 * 1024;
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

async function runScenario(s: Scenario, payload: Payload, workers: number): Promise<ScenarioResult> {
  let server: IngestProcess | undefined;
  let pool: ViewerPool | undefined;
  try {
    server = await spawnIngest({
      MAX_PUBLISH_FPS: '1000',
      LOG_LEVEL: 'info',
      VIEWER_STALL_TIMEOUT_MS: String(s.warmupMs + s.windowMs + 60_000),
      ...s.env,
    });
    const url = `${server.url.replace(/^http/, 'ws')}/streams/bench/ws`;
    if (s.viewers > 0) {
      pool = await ViewerPool.start(
        { url, count: s.viewers, ack: s.ack, paused: s.paused, warmupMs: s.warmupMs, windowMs: s.windowMs },
        Math.min(workers, s.viewers),
      );
    }
    const pid = server.child.pid as number;
    const rss: number[] = [];
    let first: ProcSample | undefined;
    let last: ProcSample | undefined;
    const sampler = setInterval(() => rss.push(sampleProc(pid).rssBytes), 1000);
    const windowTimer = setTimeout(() => (first = sampleProc(pid)), s.warmupMs);
    const endTimer = setTimeout(() => (last = sampleProc(pid)), s.warmupMs + s.windowMs);
    const measured = pool?.run();
    const lateJoin =
      s.lateJoiners > 0
        ? new Promise((r) => setTimeout(r, s.warmupMs)).then(() => lateJoiners(url, s.lateJoiners))
        : undefined;
    const pub = await publish(server.url, 'bench', payload, s.fps, s.warmupMs + s.windowMs + 100);
    const views = await measured;
    clearInterval(sampler);
    clearTimeout(windowTimer);
    clearTimeout(endTimer);
    last ??= sampleProc(pid);
    first ??= last;
    const frames = views ? [...views.frames].sort((a, b) => a - b) : [];
    const windowSec = s.windowMs / 1000;
    return {
      name: s.name,
      viewers: s.viewers,
      paused: s.paused,
      ack: s.ack,
      fps: s.fps,
      payloadBytes: payload.jpeg.length,
      seconds: round(pub.seconds),
      acceptedFps: round(pub.accepted / pub.seconds),
      publisherSkipped: pub.skipped,
      statuses: pub.statuses,
      ...(views && {
        latencyMs: summarize(views.latencies),
        viewerFps: {
          min: round((frames[0] ?? 0) / windowSec),
          median: round((frames[frames.length >> 1] ?? 0) / windowSec),
        },
        gaps: views.gaps,
        closes: views.closes,
      }),
      ...(lateJoin && { firstFrameMs: summarize(await lateJoin) }),
      serverCpu: (({ user, sys, total }) => ({ user: round(user, 3), sys: round(sys, 3), total: round(total, 3) }))(
        cpuBetween(first, last),
      ),
      rssMb: {
        start: round((rss[Math.floor(s.warmupMs / 1000)] ?? rss[0] ?? 0) / MB),
        end: round((rss[rss.length - 1] ?? 0) / MB),
        max: round(Math.max(0, ...rss) / MB),
        samples: rss.map((b) => round(b / MB)),
      },
    };
  } finally {
    pool?.kill();
    await server?.kill();
  }
}

function scenarios(smoke: boolean): Scenario[] {
  if (smoke) {
    return [
      { name: 'throughput', viewers: 0, paused: 0, ack: false, fps: 0, warmupMs: 300, windowMs: 1000, lateJoiners: 0 },
      { name: 'fanout', viewers: 6, paused: 0, ack: true, fps: 30, warmupMs: 500, windowMs: 1500, lateJoiners: 3 },
      { name: 'paused', viewers: 6, paused: 1, ack: true, fps: 30, warmupMs: 500, windowMs: 1500, lateJoiners: 3 },
    ];
  }
  return [
    {
      name: 'throughput (1 publisher, no viewers)',
      viewers: 0,
      paused: 0,
      ack: false,
      fps: 0,
      warmupMs: 1000,
      windowMs: 5000,
      lateJoiners: 0,
    },
    {
      name: '100 viewers, ack',
      viewers: 100,
      paused: 0,
      ack: true,
      fps: 30,
      warmupMs: 3000,
      windowMs: 20_000,
      lateJoiners: 20,
    },
    {
      name: '100 viewers, no ack (seed player)',
      viewers: 100,
      paused: 0,
      ack: false,
      fps: 30,
      warmupMs: 3000,
      windowMs: 20_000,
      lateJoiners: 20,
    },
    {
      name: '100 viewers, 5 paused, 60 s',
      viewers: 100,
      paused: 5,
      ack: true,
      fps: 30,
      warmupMs: 3000,
      windowMs: 60_000,
      lateJoiners: 0,
    },
  ];
}

function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: process.platform,
  };
}

function table(results: readonly ScenarioResult[]): string {
  const rows = [
    '| scenario | payload | accepted fps | viewer fps (min/median) | latency p50 / p99 / max (ms) | first frame p99 (ms) | server CPU (cores) | RSS start -> end (max) MB | gaps |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const lat = r.latencyMs ? `${r.latencyMs.p50} / ${r.latencyMs.p99} / ${r.latencyMs.max}` : '-';
    const vf = r.viewerFps ? `${r.viewerFps.min} / ${r.viewerFps.median}` : '-';
    rows.push(
      `| ${r.name} | ${Math.round(r.payloadBytes / 1024)} KB | ${r.acceptedFps} | ${vf} | ${lat} | ${r.firstFrameMs?.p99 ?? '-'} | ${r.serverCpu.total} | ${r.rssMb.start} -> ${r.rssMb.end} (${r.rssMb.max}) | ${r.gaps ?? '-'} |`,
    );
  }
  return rows.join('\n');
}

/** Runs the ingest benchmark; returns the results and where they were written. */
export async function runIngestBench(opts: { smoke: boolean; outDir?: string }): Promise<{
  results: ScenarioResult[];
  file: string;
  markdown: string;
}> {
  const payload = await makePayload('720p');
  const results: ScenarioResult[] = [];
  for (const s of scenarios(opts.smoke)) results.push(await runScenario(s, payload, 2));
  const date = new Date().toISOString();
  const outDir = opts.outDir ?? fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const file = `${outDir}/ingest-${opts.smoke ? 'smoke-' : ''}${date.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ date, machine: machine(), smoke: opts.smoke, results }, null, 2) + '\n');
  const markdown = `Ingest benchmark, ${date}, ${machine().cpu} x${machine().cores}, Node ${process.version}\n\n${table(results)}\n`;
  return { results, file, markdown };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const smoke = process.argv.includes('--smoke');
  const { markdown, file } = await runIngestBench({ smoke });
  process.stdout.write(`${markdown}\nwritten to ${file}\n`);
}
