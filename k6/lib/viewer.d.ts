// Generated from the JSDoc of viewer.js by k6/tools/declarations.ts: do not edit.
/**
 * The stream of the `index`-th viewer: streams in turn, as the benchmark spreads them.
 * @param {string[]} streams
 * @param {number} index from 0
 * @returns {string}
 */
export function streamFor(streams: string[], index: number): string;
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
  constructor(options: { ack: boolean; warmupMs: number; sessionMs: number });
  ack: boolean;
  warmupMs: number;
  sessionMs: number;
  /** @type {number | undefined} */
  openedAt: number | undefined;
  /** @type {number | undefined} */
  firstFrameAt: number | undefined;
  lastSeq: number;
  frames: number;
  bytes: number;
  gaps: number;
  serverDropped: number;
  stalls: number;
  invalid: number;
  /** @param {number} now */
  open(now: number): void;
  /** @param {number} now */
  inWindow(now: number): boolean;
  /**
   * A binary message. Returns the ack to send (when acking) and, inside the window, the sample to record.
   * @param {ArrayBuffer | Uint8Array} data
   * @param {number} now Date.now() on receipt
   * @returns {{ ack: string | undefined, sample: FrameSample | undefined }}
   */
  binary(
    data: ArrayBuffer | Uint8Array,
    now: number,
  ): {
    ack: string | undefined;
    sample: FrameSample | undefined;
  };
  /**
   * A text (control) message: remembers ingest's per-viewer drop count and stalls.
   * @param {string} text
   */
  text(text: string): void;
  /**
   * Figures at the end of the session.
   * @param {number} now
   * @param {boolean} closedByServer the socket closed before the session's end
   * @returns {SessionSummary}
   */
  summary(now: number, closedByServer: boolean): SessionSummary;
}
export type FrameSample = {
  /**
   * publisher -> viewer: now - the envelope's `timestamp`
   */
  latencyMs: number;
  /**
   * ingest -> viewer: now - `receivedAt`
   */
  ingestLatencyMs: number | undefined;
  /**
   * message size
   */
  bytes: number;
  /**
   * seqs skipped since the previous frame (frames ingest dropped for this viewer)
   */
  gap: number;
};
export type SessionSummary = {
  /**
   * the socket opened
   */
  opened: boolean;
  /**
   * the server closed it before the session's end
   */
  closedEarly: boolean;
  /**
   * frames inside the window
   */
  frames: number;
  /**
   * bytes inside the window
   */
  bytes: number;
  /**
   * seqs skipped inside the window
   */
  gaps: number;
  /**
   * length of the window that passed
   */
  windowSeconds: number;
  /**
   * frames / windowSeconds (undefined when the window never opened)
   */
  fps: number | undefined;
  /**
   * open -> first binary frame
   */
  firstFrameMs: number | undefined;
  /**
   * frames ingest reported dropped for this viewer (last `stats`)
   */
  serverDropped: number;
  /**
   * `stream_stalled` messages
   */
  stalls: number;
  /**
   * binary messages that were not a frame
   */
  invalid: number;
};
