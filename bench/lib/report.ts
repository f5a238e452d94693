import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ScenarioResult } from './scenario.js';

/** The machine figures came from. */
export function machine(): { cpu: string; cores: number; node: string; platform: string } {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: process.platform,
  };
}

/** A Markdown table of scenario results. */
export function resultsTable(results: readonly ScenarioResult[]): string {
  const rows = [
    '| scenario | server | payload | viewers | accepted fps | viewer fps min / median | latency p50 / p99 / max (ms) | first frame p99 (ms) | server CPU (cores) | load generators CPU (cores) | RSS start -> end (max) MB | gaps |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const lat = r.ingestLatencyMs ?? r.latencyMs;
    rows.push(
      [
        r.scenario,
        r.target,
        `${Math.round(r.payloadBytes / 1024)} KB`,
        r.paused ? `${r.viewers} (${r.paused} paused)` : String(r.viewers),
        r.acceptedFps,
        r.viewerFps ? `${r.viewerFps.min} / ${r.viewerFps.median}` : '-',
        lat ? `${lat.p50} / ${lat.p99} / ${lat.max}` : '-',
        r.firstFrameMs?.p99 ?? '-',
        r.serverCpu,
        r.loadCpu,
        `${r.rssMb.start} -> ${r.rssMb.end} (${r.rssMb.max})`,
        r.gaps ?? '-',
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    );
  }
  return rows.join('\n');
}

/** Writes `{date, machine, ...extra}` as JSON into `dir`; returns the file. */
export function writeResults(dir: string, prefix: string, extra: Record<string, unknown>): string {
  const date = new Date().toISOString();
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${prefix}-${date.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ date, machine: machine(), ...extra }, null, 2) + '\n');
  return file;
}
