/**
 * Why a camera's FFmpeg stopped or was restarted. Stable codes: they are the
 * `reason` of `/cameras` and `/healthz` and the label of
 * `capture_restarts_total{reason}`.
 */
export const RESTART_REASONS = {
  exit: 'FFmpeg exited (an RTSP server going away ends FFmpeg with status 0).',
  watchdog: 'No frame arrived for the watchdog interval: FFmpeg was restarted.',
  auth_failed: 'The camera refused the credentials (401 or 403): retried every SLOW_RETRY_MS.',
  not_found: 'The camera has no such path or file (404): retried every SLOW_RETRY_MS.',
  unreachable: 'The camera could not be reached (connection refused, no route, DNS failure).',
  timeout: 'The camera did not answer within READ_TIMEOUT_MS.',
  invalid_data: 'The source sent data FFmpeg could not read.',
  spawn_failed: 'FFmpeg could not be started.',
  codec_switch: 'The input codec is now known: FFmpeg restarted to copy (or to re-encode) it.',
} as const satisfies Record<string, string>;

/** A stable restart reason. */
export type RestartReason = keyof typeof RESTART_REASONS;

/** Every restart reason, for pre-zeroed metric labels and docs. */
export const RESTART_REASON_CODES = Object.keys(RESTART_REASONS) as RestartReason[];

/** Reasons retried every SLOW_RETRY_MS instead of with the exponential backoff: retrying fast cannot fix them. */
export const SLOW_REASONS: ReadonlySet<RestartReason> = new Set<RestartReason>(['auth_failed', 'not_found']);

/**
 * Error codes of capture's own HTTP API (`/cameras/:id`, unknown routes). Every
 * refusal is JSON `{ error: { code, message } }`.
 */
export const API_ERRORS = {
  not_found: { status: 404, summary: 'No such route.' },
  camera_not_found: { status: 404, summary: 'No camera with that id.' },
  internal: { status: 500, summary: 'Unexpected server error (logged).' },
} as const satisfies Record<string, { status: number; summary: string }>;

/** A stable API error code. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** The JSON body of an API error. */
export function apiErrorBody(code: ApiErrorCode, message: string = API_ERRORS[code].summary) {
  return { error: { code, message } };
}

/**
 * Why a frame did not reach ingest. Label values of `capture_frames_dropped_total{reason}`.
 * - `superseded`: two POSTs were in flight and a newer frame replaced it (ingest slower than the camera).
 * - `ingest_down`: ingest was unreachable or answered 5xx; only the newest frame is kept for the retry.
 * - `rejected`: ingest answered 4xx (see `capture_frames_rejected_total{code}`).
 * - `invalid_jpeg`: FFmpeg's output was not a complete JPEG.
 * - `oversize`: the JPEG was larger than MAX_FRAME_BYTES.
 * - `stopped`: the service stopped with the frame still waiting.
 */
export const DROP_REASONS = ['superseded', 'ingest_down', 'rejected', 'invalid_jpeg', 'oversize', 'stopped'] as const;

/** A frame drop reason. */
export type DropReason = (typeof DROP_REASONS)[number];
