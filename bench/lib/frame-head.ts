/**
 * Reads a frame envelope's small fields from its first bytes, without the
 * JPEG: the benchmark's viewers get only the head of each message (see
 * lean-ws.ts). Both envelopes put `data` last, so every field a viewer times
 * with comes before it.
 */

/** The timing fields of a frame envelope; absent ones are undefined. */
export interface FrameHead {
  seq?: number;
  timestamp?: number;
  receivedAt?: number;
}

// Thrown when a value runs past the head: once per frame, so one object without a stack trace.
const TRUNCATED = Symbol('truncated');

// bin 8/16/32 and str 8/16/32: a length of 1, 2 or 4 bytes, then the bytes.
const LENGTH_BYTES: Record<number, number> = { 0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4 };
const FIXED_BYTES: Record<number, number> = {
  0xca: 4,
  0xcb: 8,
  0xcc: 1,
  0xcd: 2,
  0xce: 4,
  0xcf: 8,
  0xd0: 1,
  0xd1: 2,
  0xd2: 4,
  0xd3: 8,
};

/**
 * Walks the top-level msgpack map in `head` and returns `seq`, `timestamp`
 * and `receivedAt` found before the first value that runs past the end of
 * `head` (the JPEG). Throws on bytes that are not a msgpack map.
 */
export function readFrameHead(head: Uint8Array): FrameHead {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > head.length) throw TRUNCATED;
  };
  const u8 = (): number => {
    need(1);
    return head[pos++] as number;
  };
  const str = (len: number): string => {
    need(len);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(head[pos + i] as number);
    pos += len;
    return s;
  };
  const num = (): number | undefined => {
    const b = u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 256;
    const read = (n: number, f: () => number): number => {
      need(n);
      const v = f();
      pos += n;
      return v;
    };
    switch (b) {
      case 0xcc:
        return read(1, () => view.getUint8(pos));
      case 0xcd:
        return read(2, () => view.getUint16(pos));
      case 0xce:
        return read(4, () => view.getUint32(pos));
      case 0xcf:
        return read(8, () => Number(view.getBigUint64(pos)));
      case 0xd0:
        return read(1, () => view.getInt8(pos));
      case 0xd1:
        return read(2, () => view.getInt16(pos));
      case 0xd2:
        return read(4, () => view.getInt32(pos));
      case 0xd3:
        return read(8, () => Number(view.getBigInt64(pos)));
      case 0xca:
        return read(4, () => view.getFloat32(pos));
      case 0xcb:
        return read(8, () => view.getFloat64(pos));
      default:
        pos--;
        skip();
        return undefined;
    }
  };
  // Skips one value of any type the envelopes use.
  const skip = (): void => {
    const b = u8();
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return;
    if (b >= 0xa0 && b <= 0xbf) return void str(b & 0x1f);
    if (b >= 0x80 && b <= 0x8f) {
      for (let i = 0; i < (b & 0x0f) * 2; i++) skip();
      return;
    }
    if (b >= 0x90 && b <= 0x9f) {
      for (let i = 0; i < (b & 0x0f); i++) skip();
      return;
    }
    const fixed = FIXED_BYTES[b];
    if (fixed !== undefined) {
      need(fixed);
      pos += fixed;
      return;
    }
    const lenBytes = LENGTH_BYTES[b];
    if (lenBytes === undefined) throw new Error(`unexpected msgpack type 0x${b.toString(16)} at ${pos - 1}`);
    need(lenBytes);
    const len = lenBytes === 1 ? view.getUint8(pos) : lenBytes === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += lenBytes;
    need(len);
    pos += len;
  };

  const out: FrameHead = {};
  const first = head[0];
  let entries: number;
  if (first !== undefined && first >= 0x80 && first <= 0x8f) {
    entries = first & 0x0f;
    pos = 1;
  } else if (first === 0xde && head.length >= 3) {
    entries = view.getUint16(1);
    pos = 3;
  } else {
    throw new Error('not a msgpack map');
  }
  try {
    for (let i = 0; i < entries; i++) {
      const k = u8();
      if (k < 0xa0 || k > 0xbf) throw new Error('map key is not a short string');
      const key = str(k & 0x1f);
      if (key === 'seq' || key === 'timestamp' || key === 'receivedAt') {
        const v = num();
        if (v !== undefined) out[key] = v;
      } else skip();
    }
  } catch (err) {
    if (err !== TRUNCATED) throw err;
  }
  return out;
}
