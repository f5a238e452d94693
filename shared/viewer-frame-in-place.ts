import type { ViewerFrame } from './envelope.js';

/** The most bytes a viewer frame's header (everything before the JPEG) can take. */
export const VIEWER_HEADER_MAX_BYTES = 256;

const textEncoder = new TextEncoder();
// Headers are written here first, then copied in front of the JPEG.
const scratch = new Uint8Array(VIEWER_HEADER_MAX_BYTES);
const view = new DataView(scratch.buffer);

/** Writes msgpack values the way @msgpack/msgpack's Encoder does, so both produce the same bytes. */
class HeaderWriter {
  pos = 0;

  byte(b: number): void {
    scratch[this.pos++] = b;
  }

  /** Bytes encoded beforehand (the map's keys). */
  raw(bytes: Uint8Array): void {
    scratch.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A string; ASCII is written as is (stream ids, keys), anything else through TextEncoder. */
  str(s: string): void {
    let ascii = s.length < 0x100;
    for (let i = 0; ascii && i < s.length; i++) ascii = s.charCodeAt(i) < 0x80;
    const bytes = ascii ? undefined : textEncoder.encode(s);
    const n = bytes ? bytes.length : s.length;
    if (n < 32) this.byte(0xa0 | n);
    else if (n < 0x100) {
      this.byte(0xd9);
      this.byte(n);
    } else throw new RangeError('string too long for a viewer frame header');
    if (bytes) scratch.set(bytes, this.pos);
    else for (let i = 0; i < n; i++) scratch[this.pos + i] = s.charCodeAt(i);
    this.pos += n;
  }

  num(x: number): void {
    if (Number.isSafeInteger(x)) {
      if (x >= 0) {
        if (x < 0x80) this.byte(x);
        else if (x < 0x100) {
          this.byte(0xcc);
          this.byte(x);
        } else if (x < 0x10000) {
          this.byte(0xcd);
          view.setUint16(this.pos, x);
          this.pos += 2;
        } else if (x < 0x100000000) {
          this.byte(0xce);
          view.setUint32(this.pos, x);
          this.pos += 4;
        } else {
          this.byte(0xcf);
          view.setUint32(this.pos, Math.floor(x / 0x100000000));
          view.setUint32(this.pos + 4, x >>> 0);
          this.pos += 8;
        }
        return;
      }
      if (x >= -0x20) this.byte(0xe0 | (x + 0x20));
      else if (x >= -0x80) {
        this.byte(0xd0);
        view.setInt8(this.pos++, x);
      } else if (x >= -0x8000) {
        this.byte(0xd1);
        view.setInt16(this.pos, x);
        this.pos += 2;
      } else if (x >= -0x80000000) {
        this.byte(0xd2);
        view.setInt32(this.pos, x);
        this.pos += 4;
      } else {
        this.byte(0xd3);
        view.setBigInt64(this.pos, BigInt(x));
        this.pos += 8;
      }
      return;
    }
    this.byte(0xcb);
    view.setFloat64(this.pos, x);
    this.pos += 8;
  }

  binHeader(n: number): void {
    if (n < 0x100) {
      this.byte(0xc4);
      this.byte(n);
    } else if (n < 0x10000) {
      this.byte(0xc5);
      view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      this.byte(0xc6);
      view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }
}

// The map's keys as msgpack strings, encoded once rather than per frame.
const KEYS = (() => {
  const keyBytes = (key: string): Uint8Array => {
    const w = new HeaderWriter();
    w.str(key);
    return scratch.slice(0, w.pos);
  };
  return {
    timestamp: keyBytes('timestamp'),
    width: keyBytes('width'),
    height: keyBytes('height'),
    streamId: keyBytes('streamId'),
    seq: keyBytes('seq'),
    receivedAt: keyBytes('receivedAt'),
    format: keyBytes('format'),
    data: keyBytes('data'),
  };
})();

// The header of `frame`'s viewer form (everything before the JPEG) into `scratch`; returns its length.
function writeHeader(frame: ViewerFrame): number {
  const w = new HeaderWriter();
  w.byte(0x88); // a map of 8 entries, in encodeViewerFrame's order
  w.raw(KEYS.timestamp);
  w.num(frame.timestamp);
  w.raw(KEYS.width);
  w.num(frame.width);
  w.raw(KEYS.height);
  w.num(frame.height);
  w.raw(KEYS.streamId);
  w.str(frame.streamId);
  w.raw(KEYS.seq);
  w.num(frame.seq);
  w.raw(KEYS.receivedAt);
  w.num(frame.receivedAt);
  w.raw(KEYS.format);
  w.str(frame.format);
  w.raw(KEYS.data);
  w.binHeader(frame.data.byteLength);
  return w.pos;
}

/**
 * The viewer form of `frame` written in front of its JPEG, in the buffer the
 * JPEG already sits in: no allocation and no copy of the image. Returns a
 * view from the header's first byte to the JPEG's last, byte for byte what
 * `encodeViewerFrame` returns; or undefined when the header does not fit in
 * the `free` bytes before `frame.data`, which the caller must own and allow
 * to be overwritten (ingest reads bodies into buffers with room in front).
 *
 * Why: every 30-100 KB buffer allocated per frame adds to V8's external
 * memory, which under load made it run a full GC several times a second; a
 * body that had to be joined from chunks is allocated anyway, so its viewer
 * bytes should cost nothing more. (A body kept as it arrived gets
 * `encodeViewerFrameHeader` instead.)
 */
export function encodeViewerFrameInPlace(frame: ViewerFrame, free: number): Uint8Array | undefined {
  const len = writeHeader(frame);
  if (len > free) return undefined;
  const { buffer, byteOffset, byteLength } = frame.data;
  const out = new Uint8Array(buffer, byteOffset - len, len + byteLength);
  out.set(scratch.subarray(0, len), 0);
  return out;
}

/**
 * The viewer form of `frame` up to its JPEG: header bytes followed by
 * `frame.data` are byte for byte what `encodeViewerFrame` returns. For sending
 * the two back to back as one message, with no copy of the image. `alloc`
 * makes the (small) buffer; Node callers pass `Buffer.allocUnsafe`, which
 * takes it from Node's pool.
 */
export function encodeViewerFrameHeader(
  frame: ViewerFrame,
  alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): Uint8Array {
  const len = writeHeader(frame);
  const out = alloc(len);
  out.set(scratch.subarray(0, len), 0);
  return out;
}
