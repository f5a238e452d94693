import { describe, expect, it } from 'vitest';
import { VIEWER_HEADER_MAX_BYTES } from '../../shared/index.js';
import { allocBody, freeBytesBefore } from './owned-buffers.js';

describe('owned body buffers', () => {
  it('leave room for a viewer header before the body, and only they report it', () => {
    const body = allocBody(10);
    expect(body.length).toBe(10);
    expect(freeBytesBefore(body)).toBe(VIEWER_HEADER_MAX_BYTES);
    expect(freeBytesBefore(body.subarray(4))).toBe(VIEWER_HEADER_MAX_BYTES + 4);
    expect(freeBytesBefore(Buffer.alloc(10))).toBe(0);
    expect(freeBytesBefore(Buffer.allocUnsafe(10))).toBe(0); // pooled: shared with other buffers
  });

  it('never share an ArrayBuffer, however small the body', () => {
    const a = allocBody(1);
    const b = allocBody(1);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(VIEWER_HEADER_MAX_BYTES + 1);
  });
});
