/**
 * A load-generator process holding many WebSocket viewers. Started by the
 * benchmark with `fork`; told what to do over IPC; reports what it measured.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { decodeViewerFrame } from '../../shared/index.js';

/** What the parent asks of a worker. */
export interface ViewerJob {
  readonly url: string;
  readonly count: number;
  /** Acknowledge each frame on receipt, as the player does once it has drawn it. */
  readonly ack: boolean;
  /** How many of `count` stop reading right after connecting. */
  readonly paused: number;
  /** Measurement starts this long after the parent says go, and lasts `windowMs`. */
  readonly warmupMs: number;
  readonly windowMs: number;
}

/** What a worker reports. */
export interface ViewerResult {
  /** ingest -> viewer latency samples in ms (Date.now() - receivedAt), reading viewers only. */
  readonly latencies: number[];
  /** Frames each reading viewer received during the window. */
  readonly frames: number[];
  /** Sequence numbers skipped, summed over reading viewers. */
  readonly gaps: number;
  /** Sockets that closed before the end, by close code. */
  readonly closes: Record<string, number>;
}

type Msg = { type: 'job'; job: ViewerJob } | { type: 'go' };

let job: ViewerJob | undefined;
const sockets: WebSocket[] = [];

async function connectAll(j: ViewerJob, result: ViewerResult, measuring: () => boolean): Promise<void> {
  const opens: Promise<void>[] = [];
  for (let i = 0; i < j.count; i++) {
    const paused = i < j.paused;
    const ws = new WebSocket(j.url, { perMessageDeflate: false });
    sockets.push(ws);
    let lastSeq = 0;
    const index = result.frames.length;
    if (!paused) result.frames.push(0);
    opens.push(
      new Promise((resolve, reject) => {
        ws.once('open', () => {
          if (paused) (ws as unknown as { _socket: Socket })._socket.pause();
          resolve();
        });
        ws.once('error', reject);
      }),
    );
    ws.on('message', (data, isBinary) => {
      if (!isBinary || paused) return;
      const now = Date.now();
      const f = decodeViewerFrame(data as Buffer);
      if (!f.ok) return;
      if (j.ack) ws.send(`{"type":"ack","seq":${f.value.seq}}`);
      if (measuring()) {
        result.latencies.push(now - f.value.receivedAt);
        result.frames[index] = (result.frames[index] ?? 0) + 1;
        if (lastSeq && f.value.seq > lastSeq + 1) (result as { gaps: number }).gaps += f.value.seq - lastSeq - 1;
      }
      lastSeq = f.value.seq;
    });
    ws.on('close', (code) => {
      if (measuring()) result.closes[code] = (result.closes[code] ?? 0) + 1;
    });
    ws.on('error', () => undefined);
  }
  await Promise.all(opens);
}

process.on('message', (msg: Msg) => {
  if (msg.type === 'job') {
    job = msg.job;
    const result: ViewerResult = { latencies: [], frames: [], gaps: 0, closes: {} };
    let windowStart = Infinity;
    let windowEnd = Infinity;
    const measuring = (): boolean => {
      const t = performance.now();
      return t >= windowStart && t < windowEnd;
    };
    connectAll(job, result, measuring).then(
      () => process.send?.({ type: 'ready' }),
      (err: Error) => process.send?.({ type: 'error', message: err.message }),
    );
    process.on('message', (m: Msg) => {
      if (m.type !== 'go' || !job) return;
      windowStart = performance.now() + job.warmupMs;
      windowEnd = windowStart + job.windowMs;
      setTimeout(
        () => {
          for (const ws of sockets) ws.terminate();
          process.send?.({ type: 'result', result }, () => process.exit(0));
        },
        job.warmupMs + job.windowMs + 50,
      );
    });
  }
});
process.on('disconnect', () => process.exit(0));
