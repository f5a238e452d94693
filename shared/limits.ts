/**
 * Protocol limits shared by publishers, ingest and players. Services may lower
 * the configurable ones (see each service's config); they never raise the hard caps.
 */

/** Protocol version announced in `hello`. */
export const PROTOCOL_VERSION = 1;

/** Default largest accepted frame body in bytes (4 MiB): a 4K JPEG at high quality fits. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Largest width or height a frame may declare (JPEG's own limit is 65535). */
export const MAX_DIMENSION = 16384;

/** Most keys an envelope map (and its `meta` map) may have; caps decoding work before validation. */
export const MAX_ENVELOPE_KEYS = 16;

/** Longest string inside an envelope (stream id, format, meta values). */
export const MAX_ENVELOPE_STRING = 1024;

/** Largest control message a viewer may send, in bytes. */
export const MAX_CONTROL_MESSAGE_BYTES = 4096;

/** Stream id of `POST /ingest` and `GET /ws` when nothing else names one. */
export const DEFAULT_STREAM_ID = 'default';

/** The `X-Frame-Format` value of the seed producer, the only one ingest knows. */
export const FRAME_FORMAT_HEADER_VALUE = 'msgpack-jpeg';

/** Content types accepted for a msgpack envelope body. */
export const ENVELOPE_CONTENT_TYPES: readonly string[] = [
  'application/octet-stream',
  'application/msgpack',
  'application/x-msgpack',
  'application/vnd.msgpack',
];

/** Content type for a bare JPEG body (width and height are read from the JPEG). */
export const JPEG_CONTENT_TYPE = 'image/jpeg';
