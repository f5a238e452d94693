import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorBody, ERRORS, IngestError, type ErrorCode } from './errors.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const readme = existsSync(README) ? readFileSync(README, 'utf8') : '';
const codes = Object.keys(ERRORS) as ErrorCode[];

describe('ERRORS', () => {
  it('has codes', () => {
    expect(codes.length).toBeGreaterThan(0);
  });

  it.each(codes)('%s has a 4xx/5xx status and a summary', (code) => {
    const { status, summary } = ERRORS[code];
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
    expect(summary.length).toBeGreaterThan(0);
  });

  it.each<[ErrorCode, number]>([
    ['invalid_envelope', 400],
    ['invalid_jpeg', 400],
    ['dimension_mismatch', 400],
    ['invalid_stream_id', 400],
    ['unauthorized', 401],
    ['stream_not_found', 404],
    ['payload_too_large', 413],
    ['unsupported_media_type', 415],
    ['unsupported_frame_format', 415],
    ['rate_limited', 429],
    ['internal', 500],
    ['too_many_streams', 503],
    ['shutting_down', 503],
  ])('%s is %i', (code, status) => {
    expect(ERRORS[code].status).toBe(status);
  });

  it('README.md exists', () => {
    expect(existsSync(README), `${README} is missing`).toBe(true);
  });

  // A whole-word match: `not_found` must not be satisfied by `stream_not_found`.
  it.each(codes)('%s is documented in README.md', (code) => {
    expect(readme).toMatch(new RegExp(`(?<![A-Za-z0-9_])${code}(?![A-Za-z0-9_])`));
  });
});

describe('IngestError and errorBody', () => {
  it('carries the code, its status and by default its summary', () => {
    const err = new IngestError('rate_limited');
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'IngestError', code: 'rate_limited', status: 429 });
    expect(err.message).toBe(ERRORS.rate_limited.summary);
  });

  it('keeps a custom message', () => {
    expect(new IngestError('no_frame', 'nothing yet').message).toBe('nothing yet');
  });

  it('builds the JSON error body', () => {
    expect(errorBody('invalid_jpeg')).toEqual({
      error: { code: 'invalid_jpeg', message: ERRORS.invalid_jpeg.summary },
    });
    expect(errorBody('too_many_streams', 'MAX_STREAMS (2) reached')).toEqual({
      error: { code: 'too_many_streams', message: 'MAX_STREAMS (2) reached' },
    });
  });
});
