import { VIEWER_HEADER_MAX_BYTES } from '../../shared/index.js';

// ArrayBuffers ingest allocated for request bodies; nothing else points into them.
const owned = new WeakSet<ArrayBufferLike>();

/**
 * A buffer for a `size`-byte body with room in front for a viewer frame's
 * header, so the frame's viewer bytes can be written around the JPEG where it
 * lies (see encodeViewerFrameInPlace). Returns the body's view.
 */
export function allocBody(size: number): Buffer {
  // Never pooled: the bytes before the body must be ours alone.
  const buf = Buffer.allocUnsafeSlow(VIEWER_HEADER_MAX_BYTES + size);
  owned.add(buf.buffer);
  return buf.subarray(VIEWER_HEADER_MAX_BYTES);
}

/** Bytes before `view` that may be overwritten: all of them in a body from `allocBody`, none elsewhere. */
export function freeBytesBefore(view: Uint8Array): number {
  return owned.has(view.buffer) ? view.byteOffset : 0;
}
