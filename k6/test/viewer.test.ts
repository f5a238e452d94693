import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { encodeAck, encodeViewerFrame } from '../../shared/index.js';
import { streamFor, ViewerSession } from '../lib/viewer.js';

const T0 = 1_000_000;
const frame = (seq: number, timestamp: number, receivedAt: number): Uint8Array =>
  encodeViewerFrame({
    timestamp,
    receivedAt,
    seq,
    width: 2,
    height: 2,
    data: new Uint8Array(50),
    streamId: 's',
    format: 'jpeg',
  });

describe('ViewerSession', () => {
  it('acks every frame with the exact message the benchmark viewer sends', () => {
    const v = new ViewerSession({ ack: true, warmupMs: 0, sessionMs: 10_000 });
    v.open(T0);
    expect(v.binary(frame(7, T0, T0), T0 + 5).ack).toBe('{"type":"ack","seq":7}');
    // The canonical form, which ingest reads without JSON.parse (shared encodeAck).
    expect(v.binary(frame(70_000, T0, T0), T0 + 6).ack).toBe(encodeAck(70_000));
    const quiet = new ViewerSession({ ack: false, warmupMs: 0, sessionMs: 10_000 });
    quiet.open(T0);
    expect(quiet.binary(frame(7, T0, T0), T0 + 5).ack).toBeUndefined();
  });

  it('times frames from the envelope: timestamp for publisher -> viewer, receivedAt for ingest -> viewer', () => {
    const v = new ViewerSession({ ack: true, warmupMs: 0, sessionMs: 10_000 });
    v.open(T0);
    const f = frame(1, T0 - 40, T0 - 15);
    expect(v.binary(f, T0).sample).toEqual({
      latencyMs: 40,
      ingestLatencyMs: 15,
      bytes: f.byteLength,
      gap: 0,
    });
  });

  it('measures only inside the window, but acks and tracks seq throughout', () => {
    const v = new ViewerSession({ ack: true, warmupMs: 1000, sessionMs: 3000 });
    v.open(T0);
    const early = v.binary(frame(1, T0, T0), T0 + 999);
    expect(early).toEqual({ ack: '{"type":"ack","seq":1}', sample: undefined });
    // seq 2..4 missed during the warmup are not counted as gaps in the window.
    expect(v.binary(frame(5, T0, T0), T0 + 1000).sample?.gap).toBe(3);
    expect(v.binary(frame(6, T0, T0), T0 + 2999).sample?.gap).toBe(0);
    expect(v.binary(frame(9, T0, T0), T0 + 3000).sample).toBeUndefined();
    const s = v.summary(T0 + 3000, false);
    expect(s).toMatchObject({ opened: true, closedEarly: false, frames: 2, gaps: 3, windowSeconds: 2, fps: 1 });
    expect(s.firstFrameMs).toBe(999);
  });

  it('counts skipped seqs as gaps, as the benchmark does', () => {
    const v = new ViewerSession({ ack: true, warmupMs: 0, sessionMs: 10_000 });
    v.open(T0);
    for (const seq of [1, 2, 5, 6, 10]) v.binary(frame(seq, T0, T0), T0 + seq);
    expect(v.summary(T0 + 2000, false)).toMatchObject({ frames: 5, gaps: 5, fps: 2.5 });
  });

  it("keeps ingest's last drop count and counts stalls", () => {
    const v = new ViewerSession({ ack: true, warmupMs: 0, sessionMs: 10_000 });
    v.open(T0);
    v.text(JSON.stringify({ type: 'hello', window: 2 }));
    v.text(JSON.stringify({ type: 'stats', sent: 10, dropped: 2 }));
    v.text(JSON.stringify({ type: 'stream_stalled', lastFrameAgeMs: 2000 }));
    v.text(JSON.stringify({ type: 'stats', sent: 30, dropped: 5 }));
    v.text('not json');
    expect(v.summary(T0 + 1000, false)).toMatchObject({ serverDropped: 5, stalls: 1 });
  });

  it('counts messages that are not frames without acking them', () => {
    const v = new ViewerSession({ ack: true, warmupMs: 0, sessionMs: 10_000 });
    v.open(T0);
    expect(v.binary(new Uint8Array([0xc1]), T0).ack).toBeUndefined();
    expect(v.binary(encode([1, 2]), T0).ack).toBeUndefined();
    expect(v.summary(T0 + 1000, false)).toMatchObject({ invalid: 2, frames: 2 });
  });

  it('reports a socket that never opened, or that the server closed early', () => {
    const never = new ViewerSession({ ack: true, warmupMs: 0, sessionMs: 10_000 });
    expect(never.summary(T0, true)).toMatchObject({ opened: false, closedEarly: false, fps: undefined });
    const cut = new ViewerSession({ ack: true, warmupMs: 3000, sessionMs: 10_000 });
    cut.open(T0);
    expect(cut.summary(T0 + 2000, true)).toMatchObject({
      opened: true,
      closedEarly: true,
      windowSeconds: 0,
      fps: undefined,
    });
  });
});

describe('streamFor', () => {
  it('spreads viewers over the streams in turn', () => {
    expect([0, 1, 2, 3, 4].map((i) => streamFor(['a', 'b'], i))).toEqual(['a', 'b', 'a', 'b', 'a']);
  });
});
