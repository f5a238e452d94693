/**
 * The fan-out benchmark: the same load against our ingest, a naive relay
 * (bench/naive-relay.ts) and node-rtsp-stream, in one run, on this machine.
 * Load generators share the machine with the server, as they will for users
 * who reproduce this; figures are ratios against the naive relay measured in
 * the same run, alternating the two servers to spread machine noise.
 *
 *   npm run bench                 full run (~15 minutes)
 *   npm run bench -- --smoke      a few seconds per server (run by the tests)
 *   npm run bench -- --runs 3     repeats of each ours/naive point (default 2)
 *   npm run bench -- --prime-ms 0 no priming (see Scenario.primeMs; default 3000)
 */
import { fileURLToPath } from 'node:url';
import { makePayload, type Payload } from './lib/payload.js';
import { machine, resultsTable, writeResults } from './lib/report.js';
import { runScenario, type Scenario, type ScenarioResult } from './lib/scenario.js';
import { naiveTarget, nodeRtspStreamTarget, oursTarget, type Target } from './lib/targets.js';

/** A point measured on both servers, with ours/naive ratios of the medians. */
export interface ComparedPoint {
  readonly scenario: string;
  readonly payload: string;
  readonly viewers: number;
  readonly ours: ScenarioResult[];
  readonly naive: ScenarioResult[];
  /** ours CPU median / naive CPU median. */
  readonly cpuRatio: number;
  /**
   * The same with each run's server CPU divided by its load generators' CPU
   * first. The generators do the same work against either server, so this
   * cancels how fast the machine happened to be during a run, which moves
   * both figures of a run together by up to +-20 % here.
   */
  readonly cpuPerLoadRatio: number;
  /** ours p99 (median over runs) / naive p99, publisher -> viewer. */
  readonly p99Ratio: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[s.length >> 1] as number) : NaN;
};
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

async function compare(
  s: Scenario,
  payload: Payload,
  runs: number,
  log: (line: string) => void,
): Promise<ComparedPoint> {
  const ours: ScenarioResult[] = [];
  const naive: ScenarioResult[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first so drift in machine load does not favour one.
    const order: Array<[Target, ScenarioResult[]]> =
      i % 2 === 0
        ? [
            [oursTarget(), ours],
            [naiveTarget(), naive],
          ]
        : [
            [naiveTarget(), naive],
            [oursTarget(), ours],
          ];
    for (const [target, into] of order) {
      const r = await runScenario(target, s, payload);
      into.push(r);
      log(
        `  ${s.name} ${payload.name} ${target.name}: cpu ${r.serverCpu}, p99 ${r.latencyMs?.p99} ms, viewer fps ${r.viewerFps?.median}`,
      );
    }
  }
  const p99 = (rs: ScenarioResult[]): number => median(rs.map((r) => r.latencyMs?.p99 ?? NaN));
  const perLoad = (rs: ScenarioResult[]): number => median(rs.map((r) => r.serverCpu / r.loadCpu));
  return {
    scenario: s.name,
    payload: payload.name,
    viewers: s.viewers,
    ours,
    naive,
    cpuRatio: round(median(ours.map((r) => r.serverCpu)) / median(naive.map((r) => r.serverCpu))),
    cpuPerLoadRatio: round(perLoad(ours) / perLoad(naive)),
    p99Ratio: round(p99(ours) / p99(naive)),
  };
}

function comparedTable(points: readonly ComparedPoint[]): string {
  const rows = [
    '| point | payload | viewers | CPU ours / naive (cores, median) | ratio | ratio per load-generator CPU | publisher->viewer p99 ours / naive (ms) | ingest->viewer p99 ours (ms) | viewer fps ours / naive | drops seen by viewers (gaps) ours / naive | load generators CPU ours / naive |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const p of points) {
    const m = (rs: ScenarioResult[], f: (r: ScenarioResult) => number, d = 1): number => round(median(rs.map(f)), d);
    const cpu = (r: ScenarioResult): number => r.serverCpu;
    const p99 = (r: ScenarioResult): number => r.latencyMs?.p99 ?? NaN;
    const ingestP99 = (r: ScenarioResult): number => r.ingestLatencyMs?.p99 ?? NaN;
    const fps = (r: ScenarioResult): number => r.viewerFps?.median ?? NaN;
    const gaps = (r: ScenarioResult): number => r.gaps ?? NaN;
    const load = (r: ScenarioResult): number => r.loadCpu;
    rows.push(
      `| ${p.scenario} | ${p.payload} | ${p.viewers} | ${m(p.ours, cpu, 3)} / ${m(p.naive, cpu, 3)} | ${p.cpuRatio} | ${p.cpuPerLoadRatio} | ${m(p.ours, p99)} / ${m(p.naive, p99)} | ${m(p.ours, ingestP99)} | ${m(p.ours, fps)} / ${m(p.naive, fps)} | ${m(p.ours, gaps)} / ${m(p.naive, gaps)} | ${m(p.ours, load, 2)} / ${m(p.naive, load, 2)} |`,
    );
  }
  return rows.join('\n');
}

/** Runs the fan-out benchmark; returns figures, the Markdown and the JSON file written. */
export async function runFanoutBench(opts: {
  smoke: boolean;
  runs?: number;
  /** See Scenario.primeMs; default 3000, 300 in smoke mode. */
  primeMs?: number;
  outDir?: string;
  log?: (line: string) => void;
}): Promise<{ compared: ComparedPoint[]; single: ScenarioResult[]; markdown: string; file: string }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const runs = opts.runs ?? (opts.smoke ? 1 : 2);
  const p720 = await makePayload('720p');
  const p360 = await makePayload('360p');
  const base = { paused: 0, ack: true, fps: 30, lateJoiners: 0 };
  const primeMs = opts.primeMs ?? (opts.smoke ? 300 : 3000);
  if (!(primeMs >= 0)) throw new Error(`primeMs must be a number of ms >= 0, got ${primeMs}`);
  const timing = {
    primeMs,
    ...(opts.smoke ? { warmupMs: 500, windowMs: 1500 } : { warmupMs: 3000, windowMs: 10_000 }),
  };
  const counts = opts.smoke ? [8] : [100, 300, 500, 1000];

  const compared: ComparedPoint[] = [];
  for (const payload of [p720, p360]) {
    for (const viewers of counts) {
      compared.push(await compare({ ...base, ...timing, name: 'sweep', viewers, lateJoiners: 5 }, payload, runs, log));
    }
  }
  if (!opts.smoke) {
    compared.push(
      await compare({ ...base, ...timing, name: '20 streams x 15', streams: 20, viewers: 300 }, p360, runs, log),
    );
  }

  const single: ScenarioResult[] = [];
  for (const viewers of counts) {
    const r = await runScenario(
      nodeRtspStreamTarget(),
      { ...base, ...timing, name: 'sweep', viewers, ack: false },
      p720,
    );
    log(`  node-rtsp-stream ${viewers}: cpu ${r.serverCpu}, ${r.viewerBitrate} bit/s per viewer`);
    single.push(r);
  }
  if (!opts.smoke) {
    const paused = {
      ...base,
      primeMs,
      warmupMs: 3000,
      windowMs: 60_000,
      name: 'paused 5 of 100, 60 s',
      viewers: 100,
      paused: 5,
    };
    single.push(await runScenario(oursTarget(), paused, p720));
    single.push(await runScenario(oursTarget(), { ...paused, name: '100 fast, 60 s (reference)', paused: 0 }, p720));
    log('  paused scenario done');
  }

  const m = machine();
  const markdown = [
    `Fan-out benchmark, ${new Date().toISOString()}, ${m.cpu} x${m.cores}, Node ${m.node}; load generators on the same machine; ${runs} run(s) per point, medians; each server first took frames at full speed for ${primeMs} ms (V8 priming), then viewers joined, ${timing.warmupMs} ms warm-up, ${timing.windowMs} ms window.`,
    '',
    '### Ours vs the naive relay (same load, same run; viewers acknowledge frames as our player does)',
    '',
    comparedTable(compared),
    '',
    '### node-rtsp-stream (live 720p30 H.264 RTSP camera -> MPEG-1) and the long scenarios',
    '',
    resultsTable(single),
    '',
    '| node-rtsp-stream viewers | bitrate per viewer |',
    '| --- | --- |',
    ...single.filter((r) => r.target === 'node-rtsp-stream').map((r) => `| ${r.viewers} | ${r.viewerBitrate} bit/s |`),
    '',
  ].join('\n');
  const outDir = opts.outDir ?? fileURLToPath(new URL('./results/', import.meta.url));
  const file = writeResults(outDir, opts.smoke ? 'fanout-smoke' : 'fanout', {
    smoke: opts.smoke,
    runs,
    primeMs,
    compared,
    single,
  });
  return { compared, single, markdown, file };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsArg = process.argv.indexOf('--runs');
  const primeArg = process.argv.indexOf('--prime-ms');
  const { markdown, file } = await runFanoutBench({
    smoke: process.argv.includes('--smoke'),
    ...(runsArg > 0 && { runs: Number(process.argv[runsArg + 1]) }),
    ...(primeArg > 0 && { primeMs: Number(process.argv[primeArg + 1]) }),
  });
  process.stdout.write(`${markdown}\nwritten to ${file}\n`);
}
