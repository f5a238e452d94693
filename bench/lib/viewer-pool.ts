import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ViewerJob, ViewerResult } from './viewer-worker.js';

const WORKER = fileURLToPath(new URL('./viewer-worker.ts', import.meta.url));

/** Viewers spread over several processes, so the load generator is not one event loop. */
export class ViewerPool {
  private constructor(private readonly workers: ChildProcess[]) {}

  /** Starts `processes` workers sharing `job.count` viewers (and `job.paused` paused ones) and waits until all are connected. */
  static async start(job: ViewerJob, processes: number): Promise<ViewerPool> {
    const workers: ChildProcess[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < processes; i++) {
      const share = (total: number): number => Math.floor(total / processes) + (i < total % processes ? 1 : 0);
      const w = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      workers.push(w);
      ready.push(
        new Promise((resolve, reject) => {
          w.on('message', (m: { type: string; message?: string }) => {
            if (m.type === 'ready') resolve();
            if (m.type === 'error') reject(new Error(m.message));
          });
          w.once('exit', (code) => reject(new Error(`viewer worker exited with ${code}`)));
        }),
      );
      w.send({ type: 'job', job: { ...job, count: share(job.count), paused: share(job.paused) } });
    }
    const pool = new ViewerPool(workers);
    try {
      await Promise.all(ready);
    } catch (err) {
      pool.kill();
      throw err;
    }
    return pool;
  }

  /** Starts the measurement in every worker; resolves with their merged results when the window ends. */
  async run(): Promise<ViewerResult> {
    const results = this.workers.map(
      (w) =>
        new Promise<ViewerResult>((resolve, reject) => {
          w.on('message', (m: { type: string; result?: ViewerResult }) => {
            if (m.type === 'result' && m.result) resolve(m.result);
          });
          w.once('exit', (code) => reject(new Error(`viewer worker exited with ${code} before reporting`)));
        }),
    );
    for (const w of this.workers) w.send({ type: 'go' });
    const all = await Promise.all(results);
    const closes: Record<string, number> = {};
    for (const r of all) for (const [k, v] of Object.entries(r.closes)) closes[k] = (closes[k] ?? 0) + v;
    return {
      latencies: all.flatMap((r) => r.latencies),
      ingestLatencies: all.flatMap((r) => r.ingestLatencies),
      frames: all.flatMap((r) => r.frames),
      bytes: all.reduce((s, r) => s + r.bytes, 0),
      gaps: all.reduce((s, r) => s + r.gaps, 0),
      closes,
    };
  }

  /** The worker processes' PIDs, for their CPU. */
  pids(): number[] {
    return this.workers.map((w) => w.pid as number);
  }

  /** Ends every worker by its handle. */
  kill(): void {
    for (const w of this.workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  }
}
