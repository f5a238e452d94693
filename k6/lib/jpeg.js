// @ts-check
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
export function readJpegSize(input) {
  const b = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return { error: 'not a JPEG: no SOI marker' };
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return { error: `not a JPEG: expected a marker at byte ${i}` };
    const marker = /** @type {number} */ (b[i + 1]);
    // Fill bytes (FF FF ...) may precede a marker.
    if (marker === 0xff) {
      i++;
      continue;
    }
    // Markers without a length: TEM, RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);
    if (length < 2) return { error: `not a JPEG: segment length ${length} at byte ${i}` };
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 > b.length) break;
      const height = ((b[i + 5] ?? 0) << 8) | (b[i + 6] ?? 0);
      const width = ((b[i + 7] ?? 0) << 8) | (b[i + 8] ?? 0);
      if (width === 0 || height === 0) return { error: 'JPEG frame header has a zero width or height' };
      return { width, height };
    }
    i += 2 + length;
  }
  return { error: 'not a JPEG: no frame header (SOF) before the scan' };
}

/**
 * Like `readJpegSize`, but throws the error.
 * @param {ArrayBuffer | Uint8Array} input
 * @returns {JpegSize}
 */
export function jpegSize(input) {
  const r = readJpegSize(input);
  if ('error' in r) throw new Error(r.error);
  return r;
}
