// @ts-check
/**
 * The smallest msgpack codec the load scripts need: k6 has none. Encodes a map
 * of strings, numbers, booleans, null and binary (the publisher envelope) the way
 * `@msgpack/msgpack` does, byte for byte; decodes every msgpack type but ext (the
 * frames ingest sends to viewers). No k6 import: tested in Node.
 */

/** @typedef {string | number | boolean | null | undefined | Uint8Array | ArrayBuffer} EncodableValue */

const UINT32 = 0x1_0000_0000;

/**
 * UTF-8 bytes of a string (k6 has no TextEncoder).
 * @param {string} s
 * @returns {number[]}
 */
function utf8(s) {
  /** @type {number[]} */
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/**
 * A string from UTF-8 bytes.
 * @param {Uint8Array} b
 * @param {number} start
 * @param {number} end
 * @returns {string}
 */
function fromUtf8(b, start, end) {
  let s = '';
  let i = start;
  while (i < end) {
    const c = /** @type {number} */ (b[i++]);
    let cp = c;
    if (c >= 0xf0)
      cp = ((c & 0x07) << 18) | (((b[i++] ?? 0) & 0x3f) << 12) | (((b[i++] ?? 0) & 0x3f) << 6) | ((b[i++] ?? 0) & 0x3f);
    else if (c >= 0xe0) cp = ((c & 0x0f) << 12) | (((b[i++] ?? 0) & 0x3f) << 6) | ((b[i++] ?? 0) & 0x3f);
    else if (c >= 0xc0) cp = ((c & 0x1f) << 6) | ((b[i++] ?? 0) & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      s += String.fromCharCode(cp);
    }
  }
  return s;
}

/** Grows as values are written; one copy at the end. */
class Writer {
  /** @param {number} size */
  constructor(size) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.pos = 0;
  }

  /** @param {number} n */
  ensure(n) {
    if (this.pos + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + n));
    next.set(this.bytes);
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  /** @param {number} b */
  u8(b) {
    this.ensure(1);
    this.view.setUint8(this.pos++, b);
  }

  /** @param {number} b @param {number} v */
  u8u8(b, v) {
    this.u8(b);
    this.u8(v);
  }

  /** @param {number} b @param {number} v */
  u8u16(b, v) {
    this.u8(b);
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  /** @param {number} b @param {number} v */
  u8u32(b, v) {
    this.u8(b);
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** @param {ArrayLike<number>} src */
  raw(src) {
    this.ensure(src.length);
    this.bytes.set(src, this.pos);
    this.pos += src.length;
  }

  /** @param {number} n */
  number(n) {
    if (Number.isSafeInteger(n)) {
      if (n >= 0) {
        if (n < 0x80) return this.u8(n);
        if (n < 0x100) return this.u8u8(0xcc, n);
        if (n < 0x10000) return this.u8u16(0xcd, n);
        if (n < UINT32) return this.u8u32(0xce, n);
        this.u8u32(0xcf, Math.floor(n / UINT32));
        this.ensure(4);
        this.view.setUint32(this.pos, n % UINT32);
        this.pos += 4;
        return;
      }
      if (n >= -0x20) return this.u8(0xe0 | (n + 0x20));
      if (n >= -0x80) return this.u8u8(0xd0, n & 0xff);
      if (n >= -0x8000) return this.u8u16(0xd1, n & 0xffff);
      if (n >= -0x80000000) return this.u8u32(0xd2, n >>> 0);
      const hi = Math.floor(n / UINT32);
      this.u8u32(0xd3, hi >>> 0);
      this.ensure(4);
      this.view.setUint32(this.pos, (n - hi * UINT32) >>> 0);
      this.pos += 4;
      return;
    }
    this.u8(0xcb);
    this.ensure(8);
    this.view.setFloat64(this.pos, n);
    this.pos += 8;
  }

  /** @param {string} s */
  string(s) {
    const b = utf8(s);
    if (b.length < 32) this.u8(0xa0 | b.length);
    else if (b.length < 0x100) this.u8u8(0xd9, b.length);
    else if (b.length < 0x10000) this.u8u16(0xda, b.length);
    else this.u8u32(0xdb, b.length);
    this.raw(b);
  }

  /** @param {Uint8Array} b */
  binary(b) {
    if (b.length < 0x100) this.u8u8(0xc4, b.length);
    else if (b.length < 0x10000) this.u8u16(0xc5, b.length);
    else this.u8u32(0xc6, b.length);
    this.raw(b);
  }

  /** @param {EncodableValue} v */
  value(v) {
    if (v === null) return this.u8(0xc0);
    if (v === true) return this.u8(0xc3);
    if (v === false) return this.u8(0xc2);
    if (typeof v === 'number') return this.number(v);
    if (typeof v === 'string') return this.string(v);
    if (v instanceof Uint8Array) return this.binary(v);
    if (v instanceof ArrayBuffer) return this.binary(new Uint8Array(v));
    throw new TypeError(`msgpack: cannot encode ${typeof v}`);
  }
}

/**
 * Encodes a flat map (keys in insertion order; `undefined` values left out, as
 * `@msgpack/msgpack` does with `ignoreUndefined`). Numbers that are safe
 * integers take the smallest integer form, others float64.
 * @param {Record<string, EncodableValue>} map
 * @returns {Uint8Array}
 */
export function encodeMap(map) {
  const entries = Object.entries(map).filter(([, v]) => v !== undefined);
  let binBytes = 0;
  for (const [, v] of entries) {
    if (v instanceof Uint8Array || v instanceof ArrayBuffer) binBytes += v.byteLength;
  }
  const w = new Writer(binBytes + 64 + entries.length * 48);
  if (entries.length < 16) w.u8(0x80 | entries.length);
  else if (entries.length < 0x10000) w.u8u16(0xde, entries.length);
  else w.u8u32(0xdf, entries.length);
  for (const [k, v] of entries) {
    w.string(k);
    w.value(v);
  }
  return w.bytes.subarray(0, w.pos);
}

/** Reads values from a byte view. */
class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }

  /** @param {number} n */
  need(n) {
    if (this.pos + n > this.bytes.length) throw new RangeError('msgpack: truncated input');
  }

  u8() {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u16() {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32() {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** @param {number} n */
  str(n) {
    this.need(n);
    const s = fromUtf8(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A view into the input, not a copy. @param {number} n */
  bin(n) {
    this.need(n);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** @param {number} n @returns {unknown[]} */
  array(n) {
    /** @type {unknown[]} */
    const out = [];
    for (let i = 0; i < n; i++) out.push(this.value());
    return out;
  }

  /** @param {number} n @returns {Record<string, unknown>} */
  map(n) {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (let i = 0; i < n; i++) {
      const k = this.value();
      if (typeof k !== 'string' && typeof k !== 'number') throw new TypeError('msgpack: map key must be a string');
      out[String(k)] = this.value();
    }
    return out;
  }

  /** @returns {unknown} */
  value() {
    const t = this.u8();
    if (t < 0x80) return t;
    if (t < 0x90) return this.map(t & 0x0f);
    if (t < 0xa0) return this.array(t & 0x0f);
    if (t < 0xc0) return this.str(t & 0x1f);
    if (t >= 0xe0) return t - 0x100;
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xca: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xcb: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        return this.u32() * UINT32 + this.u32();
      case 0xd0:
        return (this.u8() << 24) >> 24;
      case 0xd1:
        return (this.u16() << 16) >> 16;
      case 0xd2:
        return this.u32() | 0;
      case 0xd3:
        return (this.u32() | 0) * UINT32 + this.u32();
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16());
      case 0xdd:
        return this.array(this.u32());
      case 0xde:
        return this.map(this.u16());
      case 0xdf:
        return this.map(this.u32());
      default:
        throw new TypeError(`msgpack: unsupported type 0x${t.toString(16)}`);
    }
  }
}

/**
 * Decodes one msgpack value. Binary values are views into `input`, not copies.
 * Throws on truncated input, trailing bytes and ext types.
 * @param {ArrayBuffer | Uint8Array} input
 * @returns {unknown} maps as plain objects, binary as Uint8Array views
 */
export function decode(input) {
  const r = new Reader(input instanceof Uint8Array ? input : new Uint8Array(input));
  const v = r.value();
  if (r.pos !== r.bytes.length) throw new RangeError(`msgpack: ${r.bytes.length - r.pos} trailing bytes`);
  return v;
}
