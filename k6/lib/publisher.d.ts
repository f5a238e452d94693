// Generated from the JSDoc of publisher.js by k6/tools/declarations.ts: do not edit.
/**
 * @typedef {object} Frame
 * @property {Uint8Array} data one whole JPEG
 * @property {number} width from the JPEG's frame header
 * @property {number} height
 */
/**
 * Frames from JPEG files read by k6's `open(path, 'b')`; throws naming the file that is not a JPEG.
 * @param {ArrayBuffer[]} files
 * @param {string[]} names for errors
 * @returns {Frame[]}
 */
export function loadFrames(files: ArrayBuffer[], names: string[]): Frame[];
/**
 * The frame a publisher sends as its `seq`-th: the files in turn.
 * @param {Frame[]} frames
 * @param {number} seq 1-based
 * @returns {Frame}
 */
export function frameFor(frames: Frame[], seq: number): Frame;
/**
 * The request body: the envelope, keys in the benchmark's order.
 * @param {Frame} frame
 * @param {string} streamId
 * @param {number} seq publisher's counter, from 1
 * @param {number} timestamp capture time, ms since the epoch
 * @returns {ArrayBuffer}
 */
export function envelopeBody(frame: Frame, streamId: string, seq: number, timestamp: number): ArrayBuffer;
/**
 * URL and headers of a publish.
 * @param {{ baseUrl: string, ingestToken: string | undefined }} settings
 * @param {string} streamId
 * @returns {{ url: string, headers: Record<string, string> }}
 */
export function publishTarget(
  settings: {
    baseUrl: string;
    ingestToken: string | undefined;
  },
  streamId: string,
): {
  url: string;
  headers: Record<string, string>;
};
export type Frame = {
  /**
   * one whole JPEG
   */
  data: Uint8Array;
  /**
   * from the JPEG's frame header
   */
  width: number;
  height: number;
};
