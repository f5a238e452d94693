// @ts-check
/**
 * One viewer's bookkeeping, the same as the project's benchmark viewer
 * (bench/lib/viewer-worker.ts): on each binary frame, decode it, acknowledge
 * `{"type":"ack","seq":N}` at once when acking, and inside the measuring window
 * count it and time it (`Date.now() - timestamp`: publisher -> viewer;
 * `Date.now() - receivedAt`: ingest -> viewer), counting skipped seqs as gaps.
 * No k6 import: the socket is the script's, this only keeps the figures.
 */
import { decode } from './msgpack.js';

/**
 * @typedef {object} FrameSample
 * @property {number} latencyMs publisher -> viewer: now - the envelope's `timestamp`
 * @property {number | undefined} ingestLatencyMs ingest -> viewer: now - `receivedAt`
 * @property {number} bytes message size
 * @property {number} gap seqs skipped since the previous frame (frames ingest dropped for this viewer)
 */

/**
 * @typedef {object} SessionSummary
 * @property {boolean} opened the socket opened
 * @property {boolean} closedEarly the server closed it before the session's end
 * @property {number} frames frames inside the window
 * @property {number} bytes bytes inside the window
 * @property {number} gaps seqs skipped inside the window
 * @property {number} windowSeconds length of the window that passed
 * @property {number | undefined} fps frames / windowSeconds (undefined when the window never opened)
 * @property {number | undefined} firstFrameMs open -> first binary frame
 * @property {number} serverDropped frames ingest reported dropped for this viewer (last `stats`)
 * @property {number} stalls `stream_stalled` messages
 * @property {number} invalid binary messages that were not a frame
 */

export class ViewerSession {
  /**
   * @param {{ ack: boolean, warmupMs: number, sessionMs: number }} options
   */
  constructor(options) {
    this.ack = options.ack;
    this.warmupMs = options.warmupMs;
    this.sessionMs = options.sessionMs;
    /** @type {number | undefined} */
    this.openedAt = undefined;
    /** @type {number | undefined} */
    this.firstFrameAt = undefined;
    this.lastSeq = 0;
    this.frames = 0;
    this.bytes = 0;
    this.gaps = 0;
    this.serverDropped = 0;
    this.stalls = 0;
    this.invalid = 0;
  }

  /** @param {number} now */
  open(now) {
    this.openedAt = now;
  }

  /** @param {number} now */
  inWindow(now) {
    return this.openedAt !== undefined && now >= this.openedAt + this.warmupMs && now < this.openedAt + this.sessionMs;
  }

  /**
   * A binary message. Returns the ack to send (when acking) and, inside the window, the sample to record.
   * @param {ArrayBuffer | Uint8Array} data
   * @param {number} now Date.now() on receipt
   * @returns {{ ack: string | undefined, sample: FrameSample | undefined }}
   */
  binary(data, now) {
    if (this.firstFrameAt === undefined) this.firstFrameAt = now;
    const inWindow = this.inWindow(now);
    const bytes = data.byteLength;
    if (inWindow) {
      this.frames++;
      this.bytes += bytes;
    }
    /** @type {Record<string, unknown>} */
    let f;
    try {
      const v = decode(data);
      if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array)
        throw new Error('not a map');
      f = /** @type {Record<string, unknown>} */ (v);
    } catch {
      this.invalid++;
      return { ack: undefined, sample: undefined };
    }
    const seq = typeof f.seq === 'number' ? f.seq : 0;
    const ack = this.ack ? `{"type":"ack","seq":${seq}}` : undefined;
    /** @type {FrameSample | undefined} */
    let sample;
    if (inWindow) {
      const gap = this.lastSeq && seq > this.lastSeq + 1 ? seq - this.lastSeq - 1 : 0;
      this.gaps += gap;
      sample = {
        latencyMs: now - (typeof f.timestamp === 'number' ? f.timestamp : now),
        ingestLatencyMs: typeof f.receivedAt === 'number' ? now - f.receivedAt : undefined,
        bytes,
        gap,
      };
    }
    this.lastSeq = seq;
    return { ack, sample };
  }

  /**
   * A text (control) message: remembers ingest's per-viewer drop count and stalls.
   * @param {string} text
   */
  text(text) {
    /** @type {unknown} */
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m === null || typeof m !== 'object') return;
    const msg = /** @type {Record<string, unknown>} */ (m);
    if (msg.type === 'stats' && typeof msg.dropped === 'number') this.serverDropped = msg.dropped;
    if (msg.type === 'stream_stalled') this.stalls++;
  }

  /**
   * Figures at the end of the session.
   * @param {number} now
   * @param {boolean} closedByServer the socket closed before the session's end
   * @returns {SessionSummary}
   */
  summary(now, closedByServer) {
    const opened = this.openedAt !== undefined;
    const start = (this.openedAt ?? now) + this.warmupMs;
    const end = Math.min(now, (this.openedAt ?? now) + this.sessionMs);
    const windowSeconds = Math.max(0, end - start) / 1000;
    return {
      opened,
      closedEarly: opened && closedByServer,
      frames: this.frames,
      bytes: this.bytes,
      gaps: this.gaps,
      windowSeconds,
      fps: windowSeconds > 0 ? this.frames / windowSeconds : undefined,
      firstFrameMs:
        this.firstFrameAt !== undefined && this.openedAt !== undefined ? this.firstFrameAt - this.openedAt : undefined,
      serverDropped: this.serverDropped,
      stalls: this.stalls,
      invalid: this.invalid,
    };
  }
}

/**
 * The stream of the `index`-th viewer: streams in turn, as the benchmark spreads them.
 * @param {string[]} streams
 * @param {number} index from 0
 * @returns {string}
 */
export function streamFor(streams, index) {
  return /** @type {string} */ (streams[index % streams.length]);
}
