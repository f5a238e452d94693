/**
 * Just enough of k6's modules (k6, k6/http, k6/websockets, k6/metrics,
 * k6/execution, k6/timers) and globals (__ENV, open) to run the scripts'
 * exported functions in Node against a real ingest. Tests install it with
 * `vi.mock('k6/http', () => shim.http)` etc. and read what the scripts recorded.
 * Executors are not k6's: `arrivals` and `vus` below drive the functions the way
 * the scripts' scenarios ask k6 to.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WsWebSocket from 'ws';

/** One recorded metric sample. */
export interface Sample {
  readonly value: number;
  readonly tags: Record<string, string>;
}

interface ShimState {
  metrics: Map<string, Sample[]>;
  checks: Map<string, { pass: number; fail: number }>;
  requests: Array<{ method: string; url: string; status: number; tags: Record<string, string> }>;
  execution: { scenario: { name: string; iterationInTest: number; startTime: number }; vu: { idInTest: number } };
  /** Next iteration number per scenario: k6 numbers a scenario's iterations across the whole test. */
  iterations: Map<string, number>;
}

// One state for every copy of this module: a test that re-imports the scripts
// (vi.resetModules) gets fresh mocks that still record here.
const g = globalThis as unknown as { __k6Shim?: ShimState };
const state: ShimState = (g.__k6Shim ??= {
  metrics: new Map(),
  checks: new Map(),
  requests: [],
  execution: { scenario: { name: 'test', iterationInTest: 0, startTime: Date.now() }, vu: { idInTest: 1 } },
  iterations: new Map(),
});

/** Everything the scripts recorded: metric samples by name, checks by name, HTTP requests. */
export const recorded = state;

/** Clears what was recorded. */
export function resetRecorded(): void {
  recorded.metrics.clear();
  recorded.checks.clear();
  recorded.requests.length = 0;
}

/** Values of a metric, optionally only samples whose tags include `tags`. */
export function values(name: string, tags: Record<string, string> = {}): number[] {
  return (recorded.metrics.get(name) ?? [])
    .filter((s) => Object.entries(tags).every(([k, v]) => s.tags[k] === v))
    .map((s) => s.value);
}

/** Sum of a metric's values. */
export function total(name: string, tags: Record<string, string> = {}): number {
  return values(name, tags).reduce((a, b) => a + b, 0);
}

class Metric {
  constructor(readonly name: string) {
    if (!recorded.metrics.has(name)) recorded.metrics.set(name, []);
  }

  add(value: number | boolean, tags: Record<string, string> = {}): void {
    const list = recorded.metrics.get(this.name) ?? [];
    list.push({ value: Number(value), tags });
    recorded.metrics.set(this.name, list);
  }
}

/** k6/metrics */
export const metrics = { Counter: Metric, Trend: Metric, Rate: Metric, Gauge: Metric };

/** k6: `check` records each named condition. */
export const k6 = {
  check<T>(value: T, sets: Record<string, (v: T) => boolean>): boolean {
    let all = true;
    for (const [name, fn] of Object.entries(sets)) {
      let ok: boolean;
      try {
        ok = fn(value);
      } catch {
        // k6 counts a check that throws as failed.
        ok = false;
      }
      const c = recorded.checks.get(name) ?? { pass: 0, fail: 0 };
      if (ok) c.pass++;
      else c.fail++;
      recorded.checks.set(name, c);
      all &&= ok;
    }
    return all;
  },
};

/** k6/execution: `scenario` is set before each call, as k6 would. */
export const execution = state.execution;

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  responseType?: 'text' | 'binary' | 'none';
}

/** k6/http: `asyncRequest` over fetch; `get` synchronous through a child process, as k6's is. */
export const http = {
  async asyncRequest(method: string, url: string, body: ArrayBuffer | string | null, params: Params = {}) {
    const res = await fetch(url, { method, headers: params.headers, body: body ?? undefined });
    const text = params.responseType === 'none' ? null : await res.text();
    if (params.responseType === 'none') await res.arrayBuffer();
    recorded.requests.push({ method, url, status: res.status, tags: params.tags ?? {} });
    return { status: res.status, body: text };
  },
  get(url: string, params: Params = {}) {
    const script =
      'fetch(process.argv[1]).then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))';
    const out = execFileSync(process.execPath, ['-e', script, url], { encoding: 'utf8' });
    const res = JSON.parse(out) as { status: number; body: string };
    recorded.requests.push({ method: 'GET', url, status: res.status, tags: params.tags ?? {} });
    return res;
  },
};

/** k6/websockets: k6's constructor `(url, protocols, params)` on top of the `ws` package. */
class ShimWebSocket extends WsWebSocket {
  constructor(url: string, _protocols: null, params: { headers?: Record<string, string> } | null) {
    super(url, { headers: params?.headers ?? {}, perMessageDeflate: false });
  }
}
export const websockets = { WebSocket: ShimWebSocket };

/** k6/timers */
export const timers = { setTimeout, clearTimeout, setInterval, clearInterval };

/** Installs `__ENV` (what `k6 run -e` sets) and `open` as k6 globals. */
export function setEnv(env: Record<string, string>): void {
  const g = globalThis as unknown as { __ENV: Record<string, string>; open: (p: string, m?: string) => unknown };
  g.__ENV = { ...env };
  g.open = (path: string, mode?: string) => {
    const file = path.startsWith('file:') ? fileURLToPath(path) : path;
    const buf = readFileSync(file);
    return mode === 'b' ? new Uint8Array(buf).buffer : buf.toString('utf8');
  };
}

/** Where a driven function runs: the scenario's name and env, over the run's env. */
export interface ScenarioRun {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly scenarioEnv: Record<string, string>;
}

/** Runs `fn` with the scenario's env and next iteration number set, as k6 does per iteration. */
function call<T>(fn: () => T, run: ScenarioRun): T {
  setEnv({ ...run.env, ...run.scenarioEnv });
  const iteration = state.iterations.get(run.name) ?? 0;
  state.iterations.set(run.name, iteration + 1);
  execution.scenario.name = run.name;
  execution.scenario.iterationInTest = iteration;
  return fn();
}

/**
 * k6's constant-arrival-rate executor: an iteration every 1000/rate ms for
 * `durationMs`, at most `maxVUs` at once; an arrival with every VU busy is dropped.
 */
export async function arrivals(
  fn: () => Promise<void>,
  o: ScenarioRun & { rate: number; durationMs: number; maxVUs: number },
): Promise<{ started: number; dropped: number; maxActive: number }> {
  let active = 0;
  let started = 0;
  let dropped = 0;
  let maxActive = 0;
  const running = new Set<Promise<void>>();
  const interval = 1000 / o.rate;
  const t0 = performance.now();
  for (let next = t0; next < t0 + o.durationMs; next += interval) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (active >= o.maxVUs) {
      dropped++;
      continue;
    }
    active++;
    maxActive = Math.max(maxActive, active);
    started++;
    const p = call(fn, o).finally(() => {
      active--;
      running.delete(p);
    });
    running.add(p);
  }
  await Promise.all(running);
  return { started, dropped, maxActive };
}

/** k6's per-vu-iterations executor with one iteration each: `vus` calls at once. */
export async function vus(fn: () => Promise<void>, o: ScenarioRun & { vus: number }): Promise<void> {
  execution.scenario.startTime = Date.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < o.vus; i++) all.push(call(fn, o));
  await Promise.all(all);
}

/** One iteration of `fn` in a scenario. */
export function iterate<T>(fn: () => T, run: ScenarioRun): T {
  return call(fn, run);
}
