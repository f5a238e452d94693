/**
 * Stream ids appear in URLs, metric labels and logs, so they are short and plain:
 * a letter or digit, then up to 63 letters, digits, `_`, `-` or `.`.
 */
const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** True when `id` is a valid stream id. */
export function isValidStreamId(id: unknown): id is string {
  return typeof id === 'string' && STREAM_ID.test(id);
}
