/**
 * Ingest figures: accepted frames/s for one publisher, ingest->viewer latency
 * with many viewers, and server memory with paused viewers. Ingest runs as its
 * own process (as deployed); viewers run in worker processes; server CPU and
 * RSS come from /proc. Prints a Markdown table and writes JSON to bench/results/.
 *
 *   npm run bench:ingest            full run (~2 minutes)
 *   npm run bench:ingest -- --smoke a few seconds, a few viewers (run by the tests)
 */
import { fileURLToPath } from 'node:url';
import { makePayload } from './lib/payload.js';
import { machine, resultsTable, writeResults } from './lib/report.js';
import { runScenario, type Scenario, type ScenarioResult } from './lib/scenario.js';
import { oursTarget } from './lib/targets.js';

function scenarios(smoke: boolean): Scenario[] {
  if (smoke) {
    return [
      { name: 'throughput', viewers: 0, paused: 0, ack: false, fps: 0, warmupMs: 300, windowMs: 1000, lateJoiners: 0 },
      { name: 'fanout', viewers: 6, paused: 0, ack: true, fps: 30, warmupMs: 500, windowMs: 1500, lateJoiners: 3 },
      { name: 'paused', viewers: 6, paused: 1, ack: true, fps: 30, warmupMs: 500, windowMs: 1500, lateJoiners: 3 },
    ];
  }
  const base = { paused: 0, ack: true, fps: 30, warmupMs: 3000, windowMs: 20_000, lateJoiners: 20 };
  return [
    {
      ...base,
      name: 'throughput, 1 publisher',
      viewers: 0,
      ack: false,
      fps: 0,
      warmupMs: 1000,
      windowMs: 5000,
      lateJoiners: 0,
    },
    { ...base, name: '100 viewers, ack', viewers: 100 },
    { ...base, name: '100 viewers, no ack (seed player)', viewers: 100, ack: false },
    { ...base, name: '100 viewers, 5 paused, 60 s', viewers: 100, paused: 5, windowMs: 60_000, lateJoiners: 0 },
  ];
}

/** Runs the ingest benchmark; returns the results and where they were written. */
export async function runIngestBench(opts: { smoke: boolean; outDir?: string }): Promise<{
  results: ScenarioResult[];
  file: string;
  markdown: string;
}> {
  const payload = await makePayload('720p');
  const results: ScenarioResult[] = [];
  for (const s of scenarios(opts.smoke)) results.push(await runScenario(oursTarget(), s, payload));
  const outDir = opts.outDir ?? fileURLToPath(new URL('./results/', import.meta.url));
  const file = writeResults(outDir, opts.smoke ? 'ingest-smoke' : 'ingest', { smoke: opts.smoke, results });
  const m = machine();
  const markdown = `Ingest benchmark, ${new Date().toISOString()}, ${m.cpu} x${m.cores}, Node ${m.node}\n\n${resultsTable(results)}\n`;
  return { results, file, markdown };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { markdown, file } = await runIngestBench({ smoke: process.argv.includes('--smoke') });
  process.stdout.write(`${markdown}\nwritten to ${file}\n`);
}
