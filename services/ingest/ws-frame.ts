/**
 * WebSocket frame headers (RFC 6455 §5.2) for the binary messages ingest
 * sends. A server's frames are never masked, so one frame's bytes are the same
 * for every viewer: the fan-out frames each video frame once and writes those
 * bytes to every viewer's socket itself, instead of asking `ws` to frame the
 * same payload again per viewer (an options object, a header buffer and a
 * cork per send in `ws`'s Sender).
 */

/** The most bytes a frame header takes (64-bit length form). */
export const WS_HEADER_MAX_BYTES = 10;

const FIN_BINARY = 0x82; // FIN bit + opcode 2 (binary)

/** Header length of an unmasked frame carrying `payloadLength` bytes: 2, 4 or 10. */
export function wsHeaderLength(payloadLength: number): number {
  if (payloadLength < 126) return 2;
  if (payloadLength < 0x10000) return 4;
  return 10;
}

/**
 * Writes the header of one final, unmasked binary frame of `payloadLength`
 * bytes at `out[at]`; returns the header's length. The payload must follow
 * immediately on the wire.
 */
export function writeWsBinaryHeader(out: Uint8Array, at: number, payloadLength: number): number {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) {
    throw new RangeError(`bad WebSocket payload length ${payloadLength}`);
  }
  out[at] = FIN_BINARY;
  if (payloadLength < 126) {
    out[at + 1] = payloadLength;
    return 2;
  }
  if (payloadLength < 0x10000) {
    out[at + 1] = 126;
    out[at + 2] = payloadLength >>> 8;
    out[at + 3] = payloadLength & 0xff;
    return 4;
  }
  out[at + 1] = 127;
  const hi = Math.floor(payloadLength / 0x100000000);
  const lo = payloadLength >>> 0;
  out[at + 2] = hi >>> 24;
  out[at + 3] = (hi >>> 16) & 0xff;
  out[at + 4] = (hi >>> 8) & 0xff;
  out[at + 5] = hi & 0xff;
  out[at + 6] = lo >>> 24;
  out[at + 7] = (lo >>> 16) & 0xff;
  out[at + 8] = (lo >>> 8) & 0xff;
  out[at + 9] = lo & 0xff;
  return 10;
}
