import { MAX_ENVELOPE_KEYS, MAX_ENVELOPE_STRING } from './limits.js';

/**
 * The top-level fields of a frame envelope, publisher's or viewer's, as a
 * msgpack decoder would give them; absent ones undefined. One object shape for
 * every frame.
 */
export type EnvelopeFields = {
  timestamp: unknown;
  width: unknown;
  height: unknown;
  data: unknown;
  streamId: unknown;
  seq: unknown;
  format: unknown;
  receivedAt: unknown;
  meta: unknown;
};

type Key = keyof EnvelopeFields;

// The keys the reader knows, by their length in bytes. A `meta` map is not a
// scalar, so an envelope that has one goes to the full decoder.
const KEYS: readonly (readonly Key[] | undefined)[] = (() => {
  const names: Key[] = ['timestamp', 'width', 'height', 'data', 'streamId', 'seq', 'format', 'receivedAt', 'meta'];
  const byLength: Key[][] = [];
  for (const k of names) (byLength[k.length] ??= []).push(k);
  return byLength;
})();

// Bytes that follow a type byte before the value's own bytes (or the value,
// for numbers); 0 for the one-byte forms. Types missing here are not scalars.
const HEAD: Readonly<Record<number, number>> = {
  // nil, false, true
  0xc0: 0,
  0xc2: 0,
  0xc3: 0,
  // bin 8/16/32: the length
  0xc4: 1,
  0xc5: 2,
  0xc6: 4,
  // float 32/64
  0xca: 4,
  0xcb: 8,
  // uint 8/16/32/64
  0xcc: 1,
  0xcd: 2,
  0xce: 4,
  0xcf: 8,
  // int 8/16/32/64
  0xd0: 1,
  0xd1: 2,
  0xd2: 4,
  0xd3: 8,
  // str 8/16: the length
  0xd9: 1,
  0xda: 2,
};

// Big-endian unsigned integer of 1, 2 or 4 bytes at `at` (the caller checked the bounds).
function uint(b: Uint8Array, at: number, n: number): number {
  if (n === 1) return b[at] as number;
  if (n === 2) return ((b[at] as number) << 8) | (b[at + 1] as number);
  return (
    (b[at] as number) * 0x1000000 +
    (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
  );
}

// The known key of `n` bytes at `at`, or undefined.
function keyAt(b: Uint8Array, at: number, n: number): Key | undefined {
  for (const k of KEYS[n] ?? []) {
    let i = 0;
    while (i < n && b[at + i] === k.charCodeAt(i)) i++;
    if (i === n) return k;
  }
  return undefined;
}

// A str value's `n` bytes at `at` as a string; undefined when they run past the
// input, pass MAX_ENVELOPE_STRING or are not ASCII (the full decoder decides those).
function asciiAt(b: Uint8Array, at: number, n: number): string | undefined {
  if (n > MAX_ENVELOPE_STRING || at + n > b.length) return undefined;
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = b[at + i] as number;
    if (c >= 0x80) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Reads an envelope in the shape every known producer sends: one msgpack map
 * of at most MAX_ENVELOPE_KEYS known keys with scalar values (ASCII strings,
 * numbers, binary, nil, booleans). Binary values are views into `bytes`.
 *
 * Undefined for anything else (an unknown key, a nested map, a non-ASCII
 * string, bytes after the map, a truncated input), and the caller then uses
 * the full msgpack decoder, which also produces the exact error. What this
 * returns is what that decoder returns for the same bytes; a test holds them
 * to it. It exists because the general decoder, run once per frame between
 * long idle gaps, was two thirds of ingest's per-frame work after the body
 * had arrived.
 */
export function readEnvelopeFields(bytes: Uint8Array): EnvelopeFields | undefined {
  const b = bytes;
  const end = b.length;
  let at = 1;
  let count = end > 0 ? (b[0] as number) : -1;
  if (count >= 0x80 && count <= 0x8f) {
    count -= 0x80;
  } else if (count === 0xde && end >= 3) {
    count = uint(b, 1, 2);
    at = 3;
  } else {
    return undefined;
  }
  if (count > MAX_ENVELOPE_KEYS) return undefined;
  const fields: EnvelopeFields = {
    timestamp: undefined,
    width: undefined,
    height: undefined,
    data: undefined,
    streamId: undefined,
    seq: undefined,
    format: undefined,
    receivedAt: undefined,
    meta: undefined,
  };
  let view: DataView | undefined;
  for (let i = 0; i < count; i++) {
    // Key: a fixstr naming a known field.
    const keyLength = at < end ? (b[at] as number) - 0xa0 : -1;
    if (keyLength < 0 || keyLength > 31 || at + 1 + keyLength > end) return undefined;
    const key = keyAt(b, at + 1, keyLength);
    if (key === undefined) return undefined;
    at += 1 + keyLength;
    // Value: a scalar.
    if (at >= end) return undefined;
    const t = b[at++] as number;
    let value: unknown;
    if (t <= 0x7f) {
      value = t;
    } else if (t >= 0xe0) {
      value = t - 0x100;
    } else if (t >= 0xa0 && t <= 0xbf) {
      const n = t - 0xa0;
      if ((value = asciiAt(b, at, n)) === undefined) return undefined;
      at += n;
    } else {
      const head = HEAD[t];
      if (head === undefined || at + head > end) return undefined;
      let next = at + head;
      switch (t) {
        case 0xc0:
          value = null;
          break;
        case 0xc2:
        case 0xc3:
          value = t === 0xc3;
          break;
        case 0xca:
        case 0xcb:
          view ??= new DataView(b.buffer, b.byteOffset, b.byteLength);
          value = t === 0xca ? view.getFloat32(at) : view.getFloat64(at);
          break;
        case 0xcc:
        case 0xcd:
        case 0xce:
          value = uint(b, at, head);
          break;
        case 0xcf:
          value = uint(b, at, 4) * 2 ** 32 + uint(b, at + 4, 4);
          break;
        case 0xd0:
        case 0xd1:
        case 0xd2: {
          const v = uint(b, at, head);
          value = v >= 2 ** (8 * head - 1) ? v - 2 ** (8 * head) : v;
          break;
        }
        case 0xd3: {
          const hi = uint(b, at, 4);
          value = (hi >= 2 ** 31 ? hi - 2 ** 32 : hi) * 2 ** 32 + uint(b, at + 4, 4);
          break;
        }
        default: {
          // bin and str: a length, then that many bytes.
          const n = uint(b, at, head);
          const from = at + head;
          next = from + n;
          value = t <= 0xc6 ? (next <= end ? b.subarray(from, next) : undefined) : asciiAt(b, from, n);
          if (value === undefined) return undefined;
        }
      }
      at = next;
    }
    fields[key] = value;
  }
  return at === end ? fields : undefined;
}
