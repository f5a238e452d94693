import { Decoder, encode } from '@msgpack/msgpack';
import { readEnvelopeFields } from './envelope-reader.js';
import { DEFAULT_MAX_FRAME_BYTES, MAX_DIMENSION, MAX_ENVELOPE_KEYS, MAX_ENVELOPE_STRING } from './limits.js';
import { fail, type Result } from './result.js';
import { isValidStreamId } from './stream-id.js';

/**
 * A frame as publishers send it (msgpack map). The seed producer's four fields
 * `timestamp, width, height, data` are enough; the rest is optional.
 */
export interface FrameEnvelope {
  /** Capture time, milliseconds since the Unix epoch (publisher's clock). */
  readonly timestamp: number;
  readonly width: number;
  readonly height: number;
  /** One whole JPEG. */
  readonly data: Uint8Array;
  readonly streamId?: string;
  /** Publisher's per-stream counter. */
  readonly seq?: number;
  /** Only `"jpeg"` is defined. */
  readonly format?: 'jpeg';
  /** Small free-form map, passed through untouched. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/**
 * A frame as ingest sends it to viewers: the publisher's envelope plus what
 * ingest knows. Encoded once per frame; a superset of the seed player's fields.
 */
export interface ViewerFrame {
  readonly timestamp: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly streamId: string;
  /** Ingest's per-stream sequence number: what viewers acknowledge. */
  readonly seq: number;
  /** When ingest accepted the frame, milliseconds since the Unix epoch (server clock). */
  readonly receivedAt: number;
  readonly format: 'jpeg';
}

/** Limits applied while decoding; `maxFrameBytes` caps the JPEG size. */
export interface DecodeLimits {
  readonly maxFrameBytes: number;
}

// Caps every container before anything is allocated for it: a hostile body
// cannot make the decoder build a million-key map or a huge string. Binary
// values are views into the input, never copies, so their size is checked after
// decoding against the caller's limit (and reported as payload_too_large).
const decoder = new Decoder({
  maxStrLength: MAX_ENVELOPE_STRING,
  maxArrayLength: MAX_ENVELOPE_KEYS,
  maxMapLength: MAX_ENVELOPE_KEYS,
  maxExtLength: 0,
});

function decodeMap(bytes: Uint8Array): Result<Record<string, unknown>> {
  const fields = readEnvelopeFields(bytes);
  if (fields) return { ok: true, value: fields };
  let raw: unknown;
  try {
    raw = decoder.decode(bytes);
  } catch (err) {
    return fail('invalid_envelope', `not a msgpack envelope: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    return fail('invalid_envelope', 'envelope must be a msgpack map');
  }
  return { ok: true, value: raw as Record<string, unknown> };
}

function isDimension(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_DIMENSION;
}

// Decodes a map and checks the fields every frame has, both directions.
function decodeBase(bytes: Uint8Array, maxFrameBytes: number): Result<Record<string, unknown>> {
  const decoded = decodeMap(bytes);
  if (!decoded.ok) return decoded;
  const m = decoded.value;
  if (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp) || m.timestamp < 0) {
    return fail('invalid_envelope', 'timestamp must be a non-negative number (ms since epoch)');
  }
  if (!isDimension(m.width)) {
    return fail('invalid_envelope', `width must be an integer from 1 to ${MAX_DIMENSION}`);
  }
  if (!isDimension(m.height)) {
    return fail('invalid_envelope', `height must be an integer from 1 to ${MAX_DIMENSION}`);
  }
  if (!(m.data instanceof Uint8Array) || m.data.byteLength === 0) {
    return fail('invalid_envelope', 'data must be non-empty binary (a JPEG)');
  }
  if (m.data.byteLength > maxFrameBytes) {
    return fail('payload_too_large', `data is ${m.data.byteLength} bytes, limit ${maxFrameBytes}`);
  }
  if (m.format !== undefined && m.format !== 'jpeg') {
    return fail('invalid_envelope', 'format must be "jpeg" when present');
  }
  if (m.seq !== undefined && !(Number.isSafeInteger(m.seq) && (m.seq as number) >= 0)) {
    return fail('invalid_envelope', 'seq must be a non-negative integer when present');
  }
  return decoded;
}

/**
 * Decodes and validates a publisher's envelope. Checks shape and limits only;
 * the JPEG itself is checked by `inspectJpeg`. The value always has every
 * field, absent ones undefined: one object shape for every frame (objects
 * built by conditional spreads cost the fast path a map transition each).
 */
export function decodeFrameEnvelope(
  bytes: Uint8Array,
  limits: DecodeLimits = { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES },
): Result<FrameEnvelope> {
  const decoded = decodeBase(bytes, limits.maxFrameBytes);
  if (!decoded.ok) return decoded;
  const m = decoded.value;
  if (m.streamId !== undefined && !isValidStreamId(m.streamId)) {
    return fail('invalid_stream_id', 'streamId must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}');
  }
  if (
    m.meta !== undefined &&
    (m.meta === null || typeof m.meta !== 'object' || Array.isArray(m.meta) || m.meta instanceof Uint8Array)
  ) {
    return fail('invalid_envelope', 'meta must be a map when present');
  }
  return {
    ok: true,
    value: {
      timestamp: m.timestamp as number,
      width: m.width as number,
      height: m.height as number,
      data: m.data as Uint8Array,
      streamId: m.streamId as string | undefined,
      seq: m.seq as number | undefined,
      format: m.format as 'jpeg' | undefined,
      meta: m.meta as Record<string, unknown> | undefined,
    },
  };
}

/** Encodes a publisher envelope (what capture and load tools send). */
export function encodeFrameEnvelope(envelope: FrameEnvelope): Uint8Array {
  return encode(envelope, { initialBufferSize: envelope.data.byteLength + 256, ignoreUndefined: true });
}

/**
 * Encodes the viewer form of a frame. Called once per frame; the bytes are
 * shared by every viewer. One allocation sized for the JPEG, one copy of it.
 */
export function encodeViewerFrame(frame: ViewerFrame): Uint8Array {
  return encode(
    {
      timestamp: frame.timestamp,
      width: frame.width,
      height: frame.height,
      streamId: frame.streamId,
      seq: frame.seq,
      receivedAt: frame.receivedAt,
      format: frame.format,
      // Last, so a streaming reader has every small field in the first bytes.
      data: frame.data,
    },
    { initialBufferSize: frame.data.byteLength + 256 },
  );
}

/** Decodes a frame sent by ingest to a viewer (player side). */
export function decodeViewerFrame(
  bytes: Uint8Array,
  limits: DecodeLimits = { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES },
): Result<ViewerFrame> {
  const decoded = decodeBase(bytes, limits.maxFrameBytes);
  if (!decoded.ok) return decoded;
  const m = decoded.value;
  if (!isValidStreamId(m.streamId)) return fail('invalid_stream_id', 'streamId missing or invalid');
  if (!Number.isSafeInteger(m.seq)) return fail('invalid_envelope', 'seq missing');
  if (typeof m.receivedAt !== 'number') return fail('invalid_envelope', 'receivedAt missing');
  return {
    ok: true,
    value: {
      timestamp: m.timestamp as number,
      width: m.width as number,
      height: m.height as number,
      data: m.data as Uint8Array,
      streamId: m.streamId,
      seq: m.seq as number,
      receivedAt: m.receivedAt,
      format: 'jpeg',
    },
  };
}
