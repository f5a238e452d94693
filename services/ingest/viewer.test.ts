import { describe, expect, it, vi } from 'vitest';
import { prng } from '../../test/prng.js';
import type { Frame, FrameWire } from './stream-hub.js';
import { Viewer, type DropReason, type ViewerEvents, type ViewerFlowOptions, type ViewerSink } from './viewer.js';

class FakeSink implements ViewerSink {
  bufferedAmount = 0;
  /** First byte of each wire sent, which the tests set to the frame's seq. */
  readonly sent: number[] = [];
  readonly flushCallbacks: Array<(err?: Error) => void> = [];
  readonly texts: string[] = [];
  readonly closes: Array<{ code: number; reason: string }> = [];
  sendBinary(data: FrameWire, onFlushed?: (err?: Error) => void): void {
    this.sent.push((Buffer.isBuffer(data) ? data[0] : data.head[0]) as number);
    if (onFlushed) this.flushCallbacks.push(onFlushed);
  }
  sendText(text: string): void {
    this.texts.push(text);
  }
  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }
}

class RecordingEvents implements ViewerEvents {
  readonly sent: number[] = [];
  readonly dropped: Array<{ seq: number; reason: DropReason }> = [];
  onSent(_viewer: Viewer, frame: Frame): void {
    this.sent.push(frame.seq);
  }
  onDropped(_viewer: Viewer, frame: Frame, reason: DropReason): void {
    this.dropped.push({ seq: frame.seq, reason });
  }
}

function frame(seq: number): Frame {
  return {
    streamId: 'cam',
    seq,
    timestamp: 1000 + seq,
    receivedAt: 2000 + seq,
    receivedMono: seq,
    width: 64,
    height: 48,
    data: new Uint8Array(10),
    format: 'jpeg',
  };
}

const wire = (seq: number): Buffer => Buffer.from([seq, 0xaa]);

function setup(flow: Partial<ViewerFlowOptions> = {}) {
  const sink = new FakeSink();
  const events = new RecordingEvents();
  let t = 1_000;
  const viewer = new Viewer(sink, { window: 2, maxBufferedBytes: 1000, ...flow }, events, () => t);
  const offer = (...seqs: number[]): void => {
    for (const seq of seqs) viewer.offer(frame(seq), wire(seq));
  };
  return { sink, events, viewer, offer, at: (ms: number) => (t = ms) };
}

describe('Viewer without acks', () => {
  it('gets every frame while the socket is drained', () => {
    const { sink, events, viewer, offer } = setup({ window: 1, maxBufferedBytes: 0 });
    offer(1, 2, 3, 4, 5);
    expect(sink.sent).toEqual([1, 2, 3, 4, 5]);
    expect(events.sent).toEqual([1, 2, 3, 4, 5]);
    expect(viewer).toMatchObject({ sent: 5, dropped: 0, lastSentSeq: 5, acking: false, hasPending: false });
    expect(viewer.inFlight).toBe(0); // the window is not tracked for viewers that never ack
  });

  it('sends the very wire buffer it was offered', () => {
    const received: FrameWire[] = [];
    const sink: ViewerSink = {
      bufferedAmount: 0,
      sendBinary: (data) => received.push(data),
      sendText: () => undefined,
      close: () => undefined,
    };
    const w = wire(1);
    new Viewer(sink, { window: 2, maxBufferedBytes: 0 }, new RecordingEvents()).offer(frame(1), w);
    expect(received).toHaveLength(1);
    expect(received[0]).toBe(w);
  });

  it('sends at exactly maxBufferedBytes and holds above it', () => {
    const { sink, viewer, offer } = setup({ maxBufferedBytes: 1000 });
    sink.bufferedAmount = 1000;
    offer(1);
    sink.bufferedAmount = 1001;
    offer(2);
    expect(sink.sent).toEqual([1]);
    expect(viewer.hasPending).toBe(true);
  });

  it('holds only the newest frame while the socket is full, dropping those it replaces', () => {
    const { sink, events, viewer, offer } = setup({ maxBufferedBytes: 1000 });
    offer(1);
    sink.bufferedAmount = 5000;
    offer(2, 3, 4);
    expect(sink.sent).toEqual([1]);
    expect(events.dropped).toEqual([
      { seq: 2, reason: 'buffer_full' },
      { seq: 3, reason: 'buffer_full' },
    ]);
    expect(viewer).toMatchObject({ sent: 1, dropped: 2, hasPending: true });

    sink.flushCallbacks[0]?.(); // still full: nothing moves
    expect(sink.sent).toEqual([1]);

    sink.bufferedAmount = 0;
    sink.flushCallbacks[0]?.();
    expect(sink.sent).toEqual([1, 4]);
    expect(events.sent).toEqual([1, 4]);
    expect(viewer).toMatchObject({ sent: 2, dropped: 2, hasPending: false, lastSentSeq: 4 });

    sink.flushCallbacks[1]?.(); // nothing pending: nothing sent
    expect(sink.sent).toEqual([1, 4]);
  });

  it('a flush that reports an error sends nothing', () => {
    const { sink, viewer, offer } = setup({ maxBufferedBytes: 0 });
    offer(1);
    sink.bufferedAmount = 10;
    offer(2);
    sink.bufferedAmount = 0;
    sink.flushCallbacks[0]?.(new Error('EPIPE'));
    expect(sink.sent).toEqual([1]);
    expect(viewer.hasPending).toBe(true);
  });

  it('does not apply the window to a viewer that never acked', () => {
    const { sink, offer } = setup({ window: 1, maxBufferedBytes: 0 });
    offer(1, 2, 3);
    expect(sink.sent).toEqual([1, 2, 3]);
  });

  // Guards a fixed bug: offer() on an unblocked viewer wrote the new frame but left an older pending one,
  // which the next flush then sent after the newer one (out of order, and never counted as dropped).
  it('never sends an older frame after a newer one when the socket drained without a flush', () => {
    const { sink, events, viewer, offer } = setup({ maxBufferedBytes: 0 });
    sink.bufferedAmount = 10; // e.g. a text message (hello, stats) still unsent
    offer(1);
    sink.bufferedAmount = 0; // drained; text sends have no flush callback
    offer(2);
    sink.flushCallbacks[0]?.();
    expect(sink.sent).toEqual([2]);
    expect(events.dropped).toEqual([{ seq: 1, reason: 'buffer_full' }]);
    expect(viewer.lastSentSeq).toBe(2);
  });
});

describe('Viewer with acks', () => {
  it('holds the frame past the window until an ack opens it, then sends the newest at once', () => {
    const { sink, events, viewer, offer } = setup({ window: 2, maxBufferedBytes: 1000 });
    viewer.ack(0);
    expect(viewer.acking).toBe(true);
    offer(1, 2);
    expect(viewer.inFlight).toBe(2);
    offer(3);
    expect(sink.sent).toEqual([1, 2]);
    expect(viewer.hasPending).toBe(true);
    offer(4);
    expect(events.dropped).toEqual([{ seq: 3, reason: 'window_full' }]);

    viewer.ack(1);
    expect(sink.sent).toEqual([1, 2, 4]);
    expect(viewer).toMatchObject({ sent: 3, dropped: 1, hasPending: false, lastSentSeq: 4 });
    expect(viewer.inFlight).toBe(2); // 2 and 4

    offer(5);
    expect(sink.sent).toEqual([1, 2, 4]); // window full again
  });

  it('a cumulative ack of a later seq clears several frames', () => {
    const { sink, viewer, offer } = setup({ window: 3 });
    viewer.ack(0);
    offer(1, 2, 3);
    expect(viewer.inFlight).toBe(3);
    offer(4);
    expect(viewer.hasPending).toBe(true);
    viewer.ack(3);
    expect(sink.sent).toEqual([1, 2, 3, 4]);
    expect(viewer.inFlight).toBe(1);
    offer(5, 6);
    expect(viewer.inFlight).toBe(3);
    viewer.ack(100);
    expect(viewer.inFlight).toBe(0);
  });

  it('keeps the window exact for any window size, against a list of what is in flight', () => {
    for (const window of [1, 2, 3, 5, 9]) {
      const random = prng(window);
      const { events, viewer, offer } = setup({ window });
      viewer.ack(0);
      const inFlight: number[] = []; // the model: seqs sent and not acknowledged, oldest first
      let seq = 0;
      let acked = 0;
      for (let step = 0; step < 2000; step++) {
        if (random() < 0.55) {
          const before = events.sent.length;
          offer(++seq);
          if (events.sent.length > before) inFlight.push(events.sent.at(-1) as number);
        } else {
          // A cumulative ack, now and then of a seq the viewer never got (the player skips some).
          acked = Math.min(seq, acked + Math.floor(random() * 4));
          const before = events.sent.length;
          viewer.ack(acked);
          while (inFlight.length > 0 && (inFlight[0] as number) <= acked) inFlight.shift();
          if (events.sent.length > before) inFlight.push(events.sent.at(-1) as number);
        }
        expect(viewer.inFlight).toBe(inFlight.length);
        expect(inFlight.length).toBeLessThanOrEqual(window);
      }
      expect(events.sent.length).toBeGreaterThan(300); // the window opened and closed many times
    }
  });

  it('an ack of an older seq frees nothing', () => {
    const { sink, viewer, offer } = setup({ window: 2 });
    viewer.ack(0);
    offer(5, 6, 7);
    viewer.ack(4);
    expect(viewer.inFlight).toBe(2);
    expect(sink.sent).toEqual([5, 6]);
    expect(viewer.hasPending).toBe(true);
  });

  it('an ack that opens the window still waits for a full socket, and retries it soon', () => {
    vi.useFakeTimers();
    try {
      const { sink, events, viewer, offer } = setup({ window: 1, maxBufferedBytes: 100 });
      viewer.ack(0);
      offer(1, 2);
      sink.bufferedAmount = 500;
      viewer.ack(1);
      expect(sink.sent).toEqual([1]);
      offer(3, 4);
      expect(events.dropped.map((d) => d.seq)).toEqual([2, 3]);
      expect(events.dropped[1]?.reason).toBe('buffer_full');
      expect(sink.flushCallbacks).toEqual([]); // acknowledging viewers get no per-write callback
      vi.advanceTimersByTime(50);
      expect(sink.sent).toEqual([1]); // still full
      sink.bufferedAmount = 0;
      vi.advanceTimersByTime(50);
      expect(sink.sent).toEqual([1, 4]); // the stream went quiet, the held frame still went out
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Viewer blockedSince', () => {
  it('is set when a frame first waits and cleared when one is sent', () => {
    const { sink, viewer, offer, at } = setup({ maxBufferedBytes: 0 });
    offer(1);
    expect(viewer.blockedSince).toBeUndefined();
    sink.bufferedAmount = 1;
    at(5000);
    offer(2);
    expect(viewer.blockedSince).toBe(5000);
    at(6000);
    offer(3); // still the same wait
    expect(viewer.blockedSince).toBe(5000);
    sink.bufferedAmount = 0;
    sink.flushCallbacks[0]?.();
    expect(sink.sent).toEqual([1, 3]);
    expect(viewer.blockedSince).toBeUndefined();
  });

  it('is set by a full window and cleared by the ack that sends', () => {
    const { viewer, offer, at } = setup({ window: 1 });
    viewer.ack(0);
    offer(1);
    at(7000);
    offer(2);
    expect(viewer.blockedSince).toBe(7000);
    viewer.ack(1);
    expect(viewer.blockedSince).toBeUndefined();
  });
});

describe('Viewer close', () => {
  it('releases the pending frame and closes the sink once', () => {
    const { sink, viewer, offer } = setup({ maxBufferedBytes: 0 });
    offer(1);
    sink.bufferedAmount = 1;
    offer(2);
    expect(viewer.hasPending).toBe(true);
    viewer.close(4408, 'viewer_too_slow');
    viewer.close(1001, 'shutting_down');
    expect(viewer.hasPending).toBe(false);
    expect(viewer.isClosed).toBe(true);
    expect(sink.closes).toEqual([{ code: 4408, reason: 'viewer_too_slow' }]);

    sink.bufferedAmount = 0;
    sink.flushCallbacks[0]?.();
    expect(sink.sent).toEqual([1]);
  });

  it('sends nothing offered after close, and counts nothing', () => {
    const { sink, events, viewer, offer } = setup();
    viewer.close(1000, 'bye');
    offer(1, 2, 3);
    viewer.ack(3);
    expect(sink.sent).toEqual([]);
    expect(events.sent).toEqual([]);
    expect(events.dropped).toEqual([]);
    expect(viewer).toMatchObject({ sent: 0, dropped: 0 });
  });

  it('detach stops sending without closing the sink', () => {
    const { sink, viewer, offer } = setup();
    viewer.detach();
    offer(1);
    expect(viewer.isClosed).toBe(true);
    expect(sink.sent).toEqual([]);
    expect(sink.closes).toEqual([]);
  });
});

describe('Viewer skip', () => {
  it('counts a frame the fan-out never offered as dropped with its reason, until closed', () => {
    const { sink, events, viewer } = setup();
    viewer.skip(frame(4), 'server_busy');
    expect(viewer.dropped).toBe(1);
    expect(events.dropped).toEqual([{ seq: 4, reason: 'server_busy' }]);
    expect(sink.sent).toEqual([]);
    viewer.close(1000, 'bye');
    viewer.skip(frame(5), 'server_busy');
    expect(viewer.dropped).toBe(1);
  });
});
