/**
 * A load-generator process holding many WebSocket viewers. Started by the
 * benchmark with `fork`; told what to do over IPC; reports what it measured.
 * Viewers use the lean client (lean-ws.ts): they read each frame's small
 * fields and count its bytes, the way a browser on another machine would cost
 * the server the same and this machine nothing.
 */
import { encodeAck } from '../../shared/index.js';
import { readFrameHead, type FrameHead } from './frame-head.js';
import { leanConnect, type LeanSocket } from './lean-ws.js';

/** What the parent asks of a worker. */
export interface ViewerJob {
  /** Viewer i connects to urls[i % urls.length]. */
  readonly urls: readonly string[];
  readonly count: number;
  /** Acknowledge each frame on receipt, as the player does once it has drawn it. */
  readonly ack: boolean;
  /** How many of `count` stop reading right after connecting. */
  readonly paused: number;
  /** `envelope`: msgpack frames, timed; `bytes`: anything (node-rtsp-stream's MPEG-TS), counted. */
  readonly mode: 'envelope' | 'bytes';
  /** Measurement starts this long after the parent says go, and lasts `windowMs`. */
  readonly warmupMs: number;
  readonly windowMs: number;
}

/** What a worker reports. */
export interface ViewerResult {
  /** publisher -> viewer latency samples in ms (Date.now() - timestamp), reading viewers only. */
  readonly latencies: number[];
  /** ingest -> viewer latency samples in ms (Date.now() - receivedAt), where frames carry receivedAt. */
  readonly ingestLatencies: number[];
  /** Messages each reading viewer received during the window. */
  readonly frames: number[];
  /** Bytes received by all reading viewers during the window. */
  readonly bytes: number;
  /** Sequence numbers skipped, summed over reading viewers. */
  readonly gaps: number;
  /** Sockets that closed before the end, by close code. */
  readonly closes: Record<string, number>;
}

type Msg = { type: 'job'; job: ViewerJob } | { type: 'go' };

const sockets: LeanSocket[] = [];

function connectAll(j: ViewerJob, result: ViewerResult & { gaps: number; bytes: number }, measuring: () => boolean) {
  const opens: Promise<void>[] = [];
  for (let i = 0; i < j.count; i++) {
    const paused = i < j.paused;
    let lastSeq = 0;
    const index = result.frames.length;
    if (!paused) result.frames.push(0);
    let opened: () => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    opens.push(
      new Promise((resolve, reject) => {
        opened = resolve;
        failed = reject;
      }),
    );
    const ws = leanConnect(j.urls[i % j.urls.length] as string, {
      onOpen: () => {
        if (paused) ws.pause();
        opened();
      },
      onError: (err) => failed(err),
      onBinary: (head, length) => {
        if (paused) return;
        const now = Date.now();
        const inWindow = measuring();
        if (inWindow) {
          result.frames[index] = (result.frames[index] ?? 0) + 1;
          result.bytes += length;
        }
        if (j.mode === 'bytes') return;
        let f: FrameHead;
        try {
          f = readFrameHead(head);
        } catch {
          return;
        }
        const seq = f.seq ?? 0;
        if (j.ack) ws.sendText(encodeAck(seq));
        if (inWindow) {
          if (f.timestamp !== undefined) result.latencies.push(now - f.timestamp);
          if (f.receivedAt !== undefined) result.ingestLatencies.push(now - f.receivedAt);
          if (lastSeq && seq > lastSeq + 1) result.gaps += seq - lastSeq - 1;
        }
        lastSeq = seq;
      },
      onClose: (code) => {
        if (measuring()) result.closes[code] = (result.closes[code] ?? 0) + 1;
      },
    });
    sockets.push(ws);
  }
  return Promise.all(opens);
}

process.on('message', (msg: Msg) => {
  if (msg.type !== 'job') return;
  const job = msg.job;
  const result = { latencies: [], ingestLatencies: [], frames: [], bytes: 0, gaps: 0, closes: {} } as ViewerResult & {
    gaps: number;
    bytes: number;
  };
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
    if (m.type !== 'go') return;
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
});
process.on('disconnect', () => process.exit(0));
