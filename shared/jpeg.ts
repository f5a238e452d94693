import { fail, type Result } from './result.js';

/** What the marker walk learns about a JPEG without decoding pixels. */
export interface JpegInfo {
  readonly width: number;
  readonly height: number;
  /** True for progressive (SOF2, SOF6, SOF10, SOF14) images. */
  readonly progressive: boolean;
}

// Start-of-frame markers carry the image size. C4 (DHT), C8 (JPG) and CC (DAC)
// share the range but are not frames (ITU T.81, table B.1).
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Walks the markers of a JPEG from SOI to SOS and checks the last two bytes are
 * EOI. Cost is proportional to the header, not the image: the entropy-coded
 * data after SOS is not scanned, so a truncated file is caught by its missing EOI.
 */
export function inspectJpeg(bytes: Uint8Array): Result<JpegInfo> {
  const n = bytes.byteLength;
  if (n < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return fail('invalid_jpeg', 'not a JPEG (no SOI marker)');
  if (bytes[n - 2] !== 0xff || bytes[n - 1] !== 0xd9) {
    return fail('invalid_jpeg', 'JPEG is truncated (no EOI marker at the end)');
  }
  let i = 2;
  let size: { width: number; height: number; progressive: boolean } | undefined;
  while (i < n) {
    if (bytes[i] !== 0xff) return fail('invalid_jpeg', `expected a marker at byte ${i}`);
    // Any number of 0xFF fill bytes may precede a marker (T.81 B.1.1.2).
    while (i < n && bytes[i] === 0xff) i++;
    if (i >= n) break;
    const marker = bytes[i++] as number;
    if (marker === 0xd9) return fail('invalid_jpeg', 'EOI before any scan');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // standalone markers
    if (i + 2 > n) break;
    const length = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    if (length < 2 || i + length > n) return fail('invalid_jpeg', `segment 0x${marker.toString(16)} runs past the end`);
    if (isStartOfFrame(marker)) {
      if (length < 8) return fail('invalid_jpeg', 'SOF segment too short');
      const height = ((bytes[i + 3] as number) << 8) | (bytes[i + 4] as number);
      const width = ((bytes[i + 5] as number) << 8) | (bytes[i + 6] as number);
      if (width === 0 || height === 0) return fail('invalid_jpeg', 'JPEG declares a zero width or height');
      size = { width, height, progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce };
    } else if (marker === 0xda) {
      if (!size) return fail('invalid_jpeg', 'scan (SOS) before any frame header (SOF)');
      return { ok: true, value: size };
    }
    i += length;
  }
  return fail('invalid_jpeg', 'JPEG is truncated (no scan)');
}
