/** The wire protocol (v1) shared by capture, ingest and the player. */
export * from './backoff.js';
export * from './close-codes.js';
export * from './control.js';
export * from './envelope.js';
export * from './jpeg.js';
export * from './limits.js';
export * from './result.js';
export * from './stream-id.js';
export * from './viewer-frame-in-place.js';
