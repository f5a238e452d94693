// @ts-check
/**
 * What a publisher sends, the same as the project's benchmark publisher
 * (bench/lib/publisher.ts): `POST /streams/:id/frames`, `Content-Type:
 * application/octet-stream`, a msgpack envelope `{streamId, seq, timestamp,
 * width, height, data}` with `timestamp` = Date.now() at send. No k6 import.
 */
import { bearer } from './env.js';
import { readJpegSize } from './jpeg.js';
import { encodeMap } from './msgpack.js';

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
export function loadFrames(files, names) {
  return files.map((buf, i) => {
    const data = new Uint8Array(buf);
    const size = readJpegSize(data);
    if ('error' in size) throw new Error(`FRAMES: ${names[i] ?? `file ${i}`}: ${size.error}`);
    return { data, ...size };
  });
}

/**
 * The frame a publisher sends as its `seq`-th: the files in turn.
 * @param {Frame[]} frames
 * @param {number} seq 1-based
 * @returns {Frame}
 */
export function frameFor(frames, seq) {
  return /** @type {Frame} */ (frames[(seq - 1) % frames.length]);
}

/**
 * The request body: the envelope, keys in the benchmark's order.
 * @param {Frame} frame
 * @param {string} streamId
 * @param {number} seq publisher's counter, from 1
 * @param {number} timestamp capture time, ms since the epoch
 * @returns {ArrayBuffer}
 */
export function envelopeBody(frame, streamId, seq, timestamp) {
  const bytes = encodeMap({ streamId, seq, timestamp, width: frame.width, height: frame.height, data: frame.data });
  // k6's http module sends an ArrayBuffer whole; hand it one of exactly this length.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? /** @type {ArrayBuffer} */ (bytes.buffer)
    : /** @type {ArrayBuffer} */ (bytes.slice().buffer);
}

/**
 * URL and headers of a publish.
 * @param {{ baseUrl: string, ingestToken: string | undefined }} settings
 * @param {string} streamId
 * @returns {{ url: string, headers: Record<string, string> }}
 */
export function publishTarget(settings, streamId) {
  return {
    url: `${settings.baseUrl}/streams/${encodeURIComponent(streamId)}/frames`,
    headers: { 'Content-Type': 'application/octet-stream', ...bearer(settings.ingestToken) },
  };
}
