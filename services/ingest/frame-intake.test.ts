import { encode } from '@msgpack/msgpack';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bodyKindOf, parseFrameBody, type IntakeContext } from './frame-intake.js';

const jpeg = new Uint8Array(
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#0f0' } })
    .jpeg()
    .toBuffer(),
);

const NOW = 1_700_000_000_000;
const ctx: IntakeContext = { defaultStream: 'default', maxFrameBytes: 1024 * 1024, now: NOW };

/** An envelope in the seed producer's form plus `extra` fields. */
const envelope = (extra: Record<string, unknown> = {}): Uint8Array =>
  encode({ timestamp: 1_699_999_999_000, width: 64, height: 48, data: jpeg, ...extra });

describe('bodyKindOf', () => {
  it.each([
    { name: 'octet-stream', contentType: 'application/octet-stream', frameFormat: undefined, expected: 'envelope' },
    {
      name: 'the seed producer (octet-stream + X-Frame-Format)',
      contentType: 'application/octet-stream',
      frameFormat: 'msgpack-jpeg',
      expected: 'envelope',
    },
    {
      name: 'application/msgpack with a charset parameter',
      contentType: 'application/msgpack; charset=binary',
      frameFormat: undefined,
      expected: 'envelope',
    },
    {
      name: 'x-msgpack in capitals',
      contentType: 'Application/X-MsgPack',
      frameFormat: undefined,
      expected: 'envelope',
    },
    { name: 'vnd.msgpack', contentType: 'application/vnd.msgpack', frameFormat: undefined, expected: 'envelope' },
    {
      name: 'X-Frame-Format in capitals with spaces',
      contentType: 'application/octet-stream',
      frameFormat: ' MSGPACK-JPEG ',
      expected: 'envelope',
    },
    { name: 'image/jpeg', contentType: 'image/jpeg', frameFormat: undefined, expected: 'jpeg' },
    { name: 'image/jpeg with a parameter', contentType: 'IMAGE/JPEG; q=1', frameFormat: undefined, expected: 'jpeg' },
  ])('$name -> $expected', ({ contentType, frameFormat, expected }) => {
    expect(bodyKindOf(contentType, frameFormat)).toEqual({ ok: true, kind: expected });
  });

  it.each([
    { name: 'text/plain', contentType: 'text/plain', frameFormat: undefined, code: 'unsupported_media_type' },
    { name: 'no Content-Type', contentType: undefined, frameFormat: undefined, code: 'unsupported_media_type' },
    { name: 'empty Content-Type', contentType: '', frameFormat: undefined, code: 'unsupported_media_type' },
    { name: 'image/png', contentType: 'image/png', frameFormat: undefined, code: 'unsupported_media_type' },
    {
      name: 'application/json',
      contentType: 'application/json',
      frameFormat: undefined,
      code: 'unsupported_media_type',
    },
    {
      name: 'X-Frame-Format other than msgpack-jpeg',
      contentType: 'application/octet-stream',
      frameFormat: 'raw-jpeg',
      code: 'unsupported_frame_format',
    },
    {
      name: 'empty X-Frame-Format',
      contentType: 'application/octet-stream',
      frameFormat: '',
      code: 'unsupported_frame_format',
    },
    {
      name: 'image/jpeg with X-Frame-Format msgpack-jpeg',
      contentType: 'image/jpeg',
      frameFormat: 'msgpack-jpeg',
      code: 'unsupported_media_type',
    },
    {
      name: 'a bad X-Frame-Format is reported before the Content-Type',
      contentType: 'text/plain',
      frameFormat: 'h264',
      code: 'unsupported_frame_format',
    },
  ])('$name -> $code', ({ contentType, frameFormat, code }) => {
    expect(bodyKindOf(contentType, frameFormat)).toMatchObject({ ok: false, code, message: expect.any(String) });
  });
});

describe('parseFrameBody stream id', () => {
  it.each<{ name: string; ctx: Partial<IntakeContext>; body: Uint8Array; expected: string }>([
    {
      name: 'route wins over header and default',
      ctx: { routeStreamId: 'route', headerStreamId: 'header' },
      body: envelope(),
      expected: 'route',
    },
    { name: 'header wins over default', ctx: { headerStreamId: 'header' }, body: envelope(), expected: 'header' },
    {
      name: 'envelope wins over default',
      ctx: {},
      body: envelope({ streamId: 'from-envelope' }),
      expected: 'from-envelope',
    },
    {
      name: 'envelope agreeing with the route',
      ctx: { routeStreamId: 'cam1' },
      body: envelope({ streamId: 'cam1' }),
      expected: 'cam1',
    },
    {
      name: 'envelope agreeing with the header',
      ctx: { headerStreamId: 'cam1' },
      body: envelope({ streamId: 'cam1' }),
      expected: 'cam1',
    },
    { name: 'default when nothing names one', ctx: {}, body: envelope(), expected: 'default' },
    { name: 'route for a bare JPEG', ctx: { routeStreamId: 'route' }, body: jpeg, expected: 'route' },
  ])('$name', ({ ctx: extra, body, expected }) => {
    const kind = body === jpeg ? 'jpeg' : 'envelope';
    const result = parseFrameBody(kind, body, { ...ctx, ...extra });
    expect(result.ok && result.input.streamId).toBe(expected);
  });

  it.each<{ name: string; ctx: Partial<IntakeContext>; body: Uint8Array }>([
    {
      name: 'envelope streamId disagreeing with the route',
      ctx: { routeStreamId: 'route' },
      body: envelope({ streamId: 'other' }),
    },
    {
      name: 'envelope streamId disagreeing with the header',
      ctx: { headerStreamId: 'header' },
      body: envelope({ streamId: 'other' }),
    },
    { name: 'an invalid header stream id', ctx: { headerStreamId: 'a/b' }, body: envelope() },
    { name: 'an invalid route stream id', ctx: { routeStreamId: '.hidden' }, body: jpeg },
    { name: 'an invalid envelope stream id', ctx: {}, body: envelope({ streamId: 'x'.repeat(65) }) },
  ])('$name -> invalid_stream_id', ({ ctx: extra, body }) => {
    const kind = body === jpeg ? 'jpeg' : 'envelope';
    expect(parseFrameBody(kind, body, { ...ctx, ...extra })).toMatchObject({ ok: false, code: 'invalid_stream_id' });
  });

  it('names both ids when the envelope disagrees with the route', () => {
    const result = parseFrameBody('envelope', envelope({ streamId: 'other' }), { ...ctx, routeStreamId: 'route' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('"other"');
    expect(result.message).toContain('"route"');
  });
});

describe('parseFrameBody envelope', () => {
  it('turns a seed envelope into a hub input', () => {
    expect(parseFrameBody('envelope', envelope(), ctx)).toEqual({
      ok: true,
      input: { streamId: 'default', timestamp: 1_699_999_999_000, width: 64, height: 48, data: jpeg },
    });
  });

  it('passes the envelope seq through as sourceSeq', () => {
    const result = parseFrameBody('envelope', envelope({ seq: 42 }), ctx);
    expect(result.ok && result.input.sourceSeq).toBe(42);
  });

  it('has no sourceSeq when the envelope has no seq', () => {
    const result = parseFrameBody('envelope', envelope(), ctx);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.input.sourceSeq).toBeUndefined();
  });

  it.each([
    { name: 'width', extra: { width: 100 }, says: '100x48' },
    { name: 'height', extra: { height: 47 }, says: '64x47' },
    { name: 'swapped dimensions', extra: { width: 48, height: 64 }, says: '48x64' },
  ])('rejects a $name mismatch with dimension_mismatch naming both sizes', ({ extra, says }) => {
    const result = parseFrameBody('envelope', envelope(extra), ctx);
    expect(result).toMatchObject({ ok: false, code: 'dimension_mismatch' });
    if (result.ok) return;
    expect(result.message).toContain(says);
    expect(result.message).toContain('64x48');
  });

  it.each([
    { name: 'not msgpack', body: Uint8Array.of(0xc1), code: 'invalid_envelope' },
    { name: 'a missing timestamp', body: encode({ width: 64, height: 48, data: jpeg }), code: 'invalid_envelope' },
    { name: 'data that is not a JPEG', body: envelope({ data: Uint8Array.of(1, 2, 3, 4) }), code: 'invalid_jpeg' },
    { name: 'a truncated JPEG', body: envelope({ data: jpeg.subarray(0, 100) }), code: 'invalid_jpeg' },
  ])('rejects $name -> $code', ({ body, code }) => {
    expect(parseFrameBody('envelope', body, ctx)).toMatchObject({ ok: false, code });
  });

  it('applies ctx.maxFrameBytes to the envelope data', () => {
    expect(parseFrameBody('envelope', envelope(), { ...ctx, maxFrameBytes: jpeg.byteLength - 1 }).ok).toBe(false);
    expect(parseFrameBody('envelope', envelope(), { ...ctx, maxFrameBytes: jpeg.byteLength }).ok).toBe(true);
  });
});

describe('parseFrameBody bare JPEG', () => {
  it('uses the JPEG dimensions and ctx.now', () => {
    expect(parseFrameBody('jpeg', jpeg, ctx)).toEqual({
      ok: true,
      input: { streamId: 'default', timestamp: NOW, width: 64, height: 48, data: jpeg },
    });
  });

  it.each([
    { header: '1700000000123', expected: 1_700_000_000_123 },
    { header: '0', expected: 0 },
    { header: '1700000000123.5', expected: 1_700_000_000_123.5 },
  ])('uses X-Frame-Timestamp $header', ({ header, expected }) => {
    const result = parseFrameBody('jpeg', jpeg, { ...ctx, headerTimestamp: header });
    expect(result.ok && result.input.timestamp).toBe(expected);
  });

  it.each(['abc', '-1', 'NaN', 'Infinity', '12abc'])('rejects X-Frame-Timestamp %j with invalid_envelope', (header) => {
    expect(parseFrameBody('jpeg', jpeg, { ...ctx, headerTimestamp: header })).toMatchObject({
      ok: false,
      code: 'invalid_envelope',
    });
  });

  it.each([
    { name: 'not a JPEG', body: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a) },
    { name: 'a truncated JPEG', body: jpeg.subarray(0, jpeg.byteLength - 2) },
    { name: 'an empty body', body: new Uint8Array(0) },
  ])('rejects $name with invalid_jpeg', ({ body }) => {
    expect(parseFrameBody('jpeg', body, ctx)).toMatchObject({ ok: false, code: 'invalid_jpeg' });
  });

  it('never has a sourceSeq', () => {
    const result = parseFrameBody('jpeg', jpeg, ctx);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.input.sourceSeq).toBeUndefined();
  });
});
