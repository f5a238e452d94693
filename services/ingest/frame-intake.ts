import {
  decodeFrameEnvelope,
  ENVELOPE_CONTENT_TYPES,
  FRAME_FORMAT_HEADER_VALUE,
  inspectJpeg,
  isValidStreamId,
  JPEG_CONTENT_TYPE,
  type ProtocolErrorCode,
} from '../../shared/index.js';
import type { ErrorCode } from './errors.js';
import type { FrameInput } from './stream-hub.js';

/** How a body is to be read: a msgpack envelope, or a bare JPEG. */
export type BodyKind = 'envelope' | 'jpeg';

/** An intake failure with its stable code. */
export interface IntakeError {
  readonly ok: false;
  readonly code: ErrorCode | ProtocolErrorCode;
  readonly message: string;
}

/**
 * Decides from the headers alone how to read the body, before reading it.
 * `X-Frame-Format` (the seed producer's header), when present, must be `msgpack-jpeg`.
 */
export function bodyKindOf(
  contentType: string | undefined,
  frameFormat: string | undefined,
): { ok: true; kind: BodyKind } | IntakeError {
  if (frameFormat !== undefined && frameFormat.trim().toLowerCase() !== FRAME_FORMAT_HEADER_VALUE) {
    return {
      ok: false,
      code: 'unsupported_frame_format',
      message: `X-Frame-Format must be ${FRAME_FORMAT_HEADER_VALUE}, got ${JSON.stringify(frameFormat)}`,
    };
  }
  const raw = contentType ?? '';
  const semicolon = raw.indexOf(';');
  const type = (semicolon < 0 ? raw : raw.slice(0, semicolon)).trim().toLowerCase();
  if (ENVELOPE_CONTENT_TYPES.includes(type)) return { ok: true, kind: 'envelope' };
  if (type === JPEG_CONTENT_TYPE && frameFormat === undefined) return { ok: true, kind: 'jpeg' };
  return {
    ok: false,
    code: 'unsupported_media_type',
    message: `Content-Type must be one of ${[...ENVELOPE_CONTENT_TYPES, JPEG_CONTENT_TYPE].join(', ')}, got ${JSON.stringify(contentType ?? '')}`,
  };
}

/** What a request says about where a frame belongs and when it was taken. */
export interface IntakeContext {
  /** From the URL (`/streams/:id/frames`): wins over everything else. */
  readonly routeStreamId?: string;
  /** From `X-Stream-Id`. */
  readonly headerStreamId?: string;
  /** From `X-Frame-Timestamp`, for bare JPEG bodies. */
  readonly headerTimestamp?: string;
  readonly defaultStream: string;
  readonly maxFrameBytes: number;
  /** Wall clock for bare JPEG bodies without a timestamp. */
  readonly now: number;
}

/**
 * Validates a body into a hub input: envelope shape and limits, a complete
 * JPEG, and width/height that agree with the JPEG's own. Pure.
 */
export function parseFrameBody(
  kind: BodyKind,
  body: Uint8Array,
  ctx: IntakeContext,
): { ok: true; input: FrameInput } | IntakeError {
  let timestamp: number;
  let width: number | undefined;
  let height: number | undefined;
  let data: Uint8Array;
  let envelopeStreamId: string | undefined;
  let sourceSeq: number | undefined;
  if (kind === 'envelope') {
    const env = decodeFrameEnvelope(body, { maxFrameBytes: ctx.maxFrameBytes });
    if (!env.ok) return env;
    ({ timestamp, width, height, data } = env.value);
    envelopeStreamId = env.value.streamId;
    sourceSeq = env.value.seq;
  } else {
    data = body;
    timestamp = ctx.now;
    if (ctx.headerTimestamp !== undefined) {
      timestamp = /^\d{1,16}(\.\d+)?$/.test(ctx.headerTimestamp) ? Number(ctx.headerTimestamp) : NaN;
      if (!Number.isFinite(timestamp)) {
        return { ok: false, code: 'invalid_envelope', message: 'X-Frame-Timestamp must be ms since the epoch' };
      }
    }
  }
  const jpeg = inspectJpeg(data);
  if (!jpeg.ok) return jpeg;
  if (width !== undefined && (jpeg.value.width !== width || jpeg.value.height !== height)) {
    return {
      ok: false,
      code: 'dimension_mismatch',
      message: `envelope says ${width}x${height}, JPEG is ${jpeg.value.width}x${jpeg.value.height}`,
    };
  }
  const streamId = ctx.routeStreamId ?? ctx.headerStreamId ?? envelopeStreamId ?? ctx.defaultStream;
  if (!isValidStreamId(streamId)) {
    return { ok: false, code: 'invalid_stream_id', message: 'stream id must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}' };
  }
  if (envelopeStreamId !== undefined && envelopeStreamId !== streamId) {
    return {
      ok: false,
      code: 'invalid_stream_id',
      message: `envelope streamId ${JSON.stringify(envelopeStreamId)} disagrees with ${JSON.stringify(streamId)} from the request`,
    };
  }
  return {
    ok: true,
    input: {
      streamId,
      timestamp,
      width: jpeg.value.width,
      height: jpeg.value.height,
      data,
      sourceSeq,
    },
  };
}
