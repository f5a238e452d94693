// Generated from the JSDoc of jpeg.js by k6/tools/declarations.ts: do not edit.
/**
 * Reads a JPEG's size from its frame header, so a publisher can send files of
 * any size with the width and height ingest checks. No k6 import: tested in Node.
 */
/** @typedef {{ width: number, height: number }} JpegSize */
/**
 * Width and height from the first SOF marker (baseline, progressive,
 * lossless, arithmetic: FFC0-FFCF but DHT FFC4, JPG FFC8 and DAC FFCC), or
 * `{ error }` when `input` is not a JPEG or has no frame header.
 * @param {ArrayBuffer | Uint8Array} input
 * @returns {JpegSize | { error: string }}
 */
export function readJpegSize(input: ArrayBuffer | Uint8Array):
  | JpegSize
  | {
      error: string;
    };
/**
 * Like `readJpegSize`, but throws the error.
 * @param {ArrayBuffer | Uint8Array} input
 * @returns {JpegSize}
 */
export function jpegSize(input: ArrayBuffer | Uint8Array): JpegSize;
export type JpegSize = {
  width: number;
  height: number;
};
