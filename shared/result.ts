/** Stable codes for protocol-level rejections; services map them to HTTP statuses. */
export type ProtocolErrorCode =
  'invalid_envelope' | 'invalid_jpeg' | 'dimension_mismatch' | 'invalid_stream_id' | 'payload_too_large';

/** A validation outcome: the value, or a stable code with a human message. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ProtocolErrorCode; readonly message: string };

/** Builds a failed Result. */
export function fail(
  code: ProtocolErrorCode,
  message: string,
): { ok: false; code: ProtocolErrorCode; message: string } {
  return { ok: false, code, message };
}
