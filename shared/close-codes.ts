/**
 * WebSocket close codes ingest uses towards viewers. Standard codes where one
 * fits (RFC 6455 section 7.4.1, IANA registry), 4xxx application codes otherwise.
 * The close reason carries the matching error code string.
 */
export const CloseCode = {
  /** Server shutting down (RFC 6455). Reconnect later. */
  GOING_AWAY: 1001,
  /** A control message was not valid JSON or not a known message. */
  PROTOCOL_ERROR: 1002,
  /** A control message exceeded MAX_CONTROL_MESSAGE_BYTES. */
  MESSAGE_TOO_BIG: 1009,
  /** Viewer limit reached, globally or for the stream (IANA: Try Again Later). */
  TRY_AGAIN_LATER: 1013,
  /** The stream id in the URL is not valid. */
  INVALID_STREAM: 4400,
  /** Viewer token missing or wrong. */
  UNAUTHORIZED: 4401,
  /** The viewer read nothing for longer than the viewer stall timeout. */
  VIEWER_TOO_SLOW: 4408,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
