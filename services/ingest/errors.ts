import type { ProtocolErrorCode } from '../../shared/index.js';

/**
 * Every error code ingest answers with, its HTTP status and what it means.
 * Codes are stable: clients and dashboards may depend on them. Rejections are
 * counted in `ingest_frames_rejected_total{reason=<code>}`.
 */
export const ERRORS = {
  invalid_envelope: { status: 400, summary: 'The body is not a valid msgpack frame envelope.' },
  invalid_jpeg: { status: 400, summary: 'The frame data is not a complete JPEG.' },
  dimension_mismatch: { status: 400, summary: "Envelope width/height disagree with the JPEG's own." },
  invalid_stream_id: { status: 400, summary: 'The stream id does not match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.' },
  invalid_query: { status: 400, summary: 'A query parameter is malformed or out of range.' },
  unauthorized: { status: 401, summary: 'Token missing or wrong.' },
  not_found: { status: 404, summary: 'No such route.' },
  stream_not_found: { status: 404, summary: 'No such stream.' },
  no_frame: { status: 404, summary: 'The stream has no frame yet.' },
  payload_too_large: { status: 413, summary: 'The body is larger than MAX_FRAME_BYTES.' },
  unsupported_media_type: { status: 415, summary: 'Content-Type is not a msgpack envelope or image/jpeg.' },
  unsupported_frame_format: { status: 415, summary: 'X-Frame-Format is not msgpack-jpeg.' },
  upgrade_required: { status: 426, summary: 'This route is a WebSocket endpoint.' },
  rate_limited: { status: 429, summary: 'The stream publishes faster than MAX_PUBLISH_FPS.' },
  internal: { status: 500, summary: 'Unexpected server error (logged).' },
  too_many_streams: { status: 503, summary: 'MAX_STREAMS streams exist and none can be evicted.' },
  snapshot_busy: { status: 503, summary: 'SNAPSHOT_CONCURRENCY resized snapshots are already being made.' },
  shutting_down: { status: 503, summary: 'The server is stopping.' },
} as const satisfies Record<string, { status: number; summary: string }>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERRORS;

// Protocol codes are a subset of ingest's codes; this line fails to compile if one is missing.
const _protocolCodesCovered: Record<ProtocolErrorCode, ErrorCode> = {
  invalid_envelope: 'invalid_envelope',
  invalid_jpeg: 'invalid_jpeg',
  dimension_mismatch: 'dimension_mismatch',
  invalid_stream_id: 'invalid_stream_id',
  payload_too_large: 'payload_too_large',
};
void _protocolCodesCovered;

/** An error with a stable code; thrown in routes, turned into JSON by the app's onError. */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].summary,
  ) {
    super(message);
    this.status = ERRORS[code].status;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** Builds the JSON body for an error. */
export function errorBody(code: ErrorCode, message: string = ERRORS[code].summary): ErrorBody {
  return { error: { code, message } };
}
