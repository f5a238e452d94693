/**
 * Player figures in headless Chromium: capture -> screen latency (p50/p95/p99)
 * and the browser's CPU while it plays a stream of 1280x720 ~100 KB JPEGs at
 * 30 fps from a real ingest process. `npm run bench:player` (`-- --smoke`: 3 s).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnIngest, type IngestProcess } from '../services/ingest/test/helpers.js';
import { buildWeb, WEB_DIST } from '../web/build.js';
import { launchChromium } from '../web/test/browser.js';
import { makePayload } from './lib/payload.js';
import { cpuSeconds, processTree } from './lib/proc-tree.js';
import { publish } from './lib/publisher.js';
import { summarize } from './lib/stats.js';

// Page-side globals used by the callbacks page.evaluate runs in the browser.
declare const document: { getElementById(id: string): { textContent: string | null } | null };
declare const window: {
  camstream: {
    onFrameDrawn(l: (f: { latencyMs: number; ingestLatencyMs: number; clockOffsetMs: number }) => void): () => void;
    player: { stats(): { droppedHere: number; droppedByServer: number } };
  };
};

/** CPU seconds of this process's descendants, less the ingest process tree: the browser's. */
function browserCpuSeconds(ingestPid: number): number {
  const ingest = new Set(processTree(ingestPid));
  return cpuSeconds(processTree(process.pid).filter((pid) => pid !== process.pid && !ingest.has(pid)));
}

/** What one player run measured. */
export interface PlayerBenchResult {
  readonly payloadBytes: number;
  readonly fps: number;
  readonly seconds: number;
  readonly drawnFps: number;
  readonly latencyMs: ReturnType<typeof summarize>;
  readonly ingestLatencyMs: ReturnType<typeof summarize>;
  /**
   * Capture -> screen without the clock-offset correction. Browser and
   * publisher share this machine's clock, so this is the true latency, and its
   * difference from `latencyMs` is the time-sync estimate's error.
   */
  readonly sameClockLatencyMs: ReturnType<typeof summarize>;
  /** Chromium's whole process tree, in cores (1.0 = one core busy). */
  readonly browserCpu: number;
  readonly droppedHere: number;
  readonly droppedByServer: number;
}

/** Runs the player benchmark; returns the figures and the JSON file written. */
export async function runPlayerBench(opts: { smoke: boolean; outDir?: string }): Promise<{
  result: PlayerBenchResult;
  file: string;
  markdown: string;
}> {
  const fps = 30;
  const warmupMs = opts.smoke ? 1000 : 3000;
  const windowMs = opts.smoke ? 2000 : 20_000;
  await buildWeb();
  const payload = await makePayload('720p');
  let ingest: IngestProcess | undefined;
  const browser = await launchChromium();
  try {
    ingest = await spawnIngest({ WEB_ROOT: WEB_DIST, MAX_PUBLISH_FPS: '1000' });
    const publishing = publish(ingest.url, 'cam', payload, fps, warmupMs + windowMs + 2000);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ingest.url}/?stream=cam`);
    await page.waitForFunction(() => document.getElementById('status-text')?.textContent === 'live');
    await page.waitForTimeout(warmupMs);
    const ingestPid = ingest.child.pid as number;
    const cpu0 = browserCpuSeconds(ingestPid);
    const t0 = performance.now();
    const samples = await page.evaluate(
      (ms) =>
        new Promise<Array<[number, number, number]>>((resolve) => {
          const xs: Array<[number, number, number]> = [];
          const off = window.camstream.onFrameDrawn((f) =>
            xs.push([f.latencyMs, f.ingestLatencyMs, f.latencyMs - f.clockOffsetMs]),
          );
          setTimeout(() => {
            off();
            resolve(xs);
          }, ms);
        }),
      windowMs,
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = browserCpuSeconds(ingestPid);
    const stats = await page.evaluate(() => window.camstream.player.stats());
    await publishing;
    const result: PlayerBenchResult = {
      payloadBytes: payload.jpeg.length,
      fps,
      seconds: Math.round(seconds * 10) / 10,
      drawnFps: Math.round((samples.length / seconds) * 10) / 10,
      latencyMs: summarize(samples.map((s) => s[0])),
      ingestLatencyMs: summarize(samples.map((s) => s[1])),
      sameClockLatencyMs: summarize(samples.map((s) => s[2])),
      browserCpu: Math.round(((cpu1 - cpu0) / seconds) * 1000) / 1000,
      droppedHere: stats.droppedHere,
      droppedByServer: stats.droppedByServer,
    };
    const date = new Date().toISOString();
    const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
    const outDir = opts.outDir ?? fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(outDir, { recursive: true });
    const file = `${outDir}/player-${opts.smoke ? 'smoke-' : ''}${date.replace(/[:.]/g, '-')}.json`;
    writeFileSync(file, JSON.stringify({ date, machine, smoke: opts.smoke, result }, null, 2) + '\n');
    const r = result;
    const markdown = [
      `Player benchmark, ${date}, ${machine.cpu} x${machine.cores}, headless Chromium, ${Math.round(r.payloadBytes / 1024)} KB 1280x720 at ${fps} fps`,
      '',
      '| drawn fps | capture->screen p50 / p95 / p99 (ms), same clock | as the player shows it (offset-corrected) p50 / p95 | ingest->screen p50 / p95 (ms) | browser CPU (cores) | dropped here / by server |',
      '| --- | --- | --- | --- | --- | --- |',
      `| ${r.drawnFps} | ${r.sameClockLatencyMs.p50} / ${r.sameClockLatencyMs.p95} / ${r.sameClockLatencyMs.p99} | ${r.latencyMs.p50} / ${r.latencyMs.p95} | ${r.ingestLatencyMs.p50} / ${r.ingestLatencyMs.p95} | ${r.browserCpu} | ${r.droppedHere} / ${r.droppedByServer} |`,
      '',
    ].join('\n');
    return { result, file, markdown };
  } finally {
    await browser.close();
    await ingest?.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { markdown, file } = await runPlayerBench({ smoke: process.argv.includes('--smoke') });
  process.stdout.write(`${markdown}\nwritten to ${file}\n`);
}
