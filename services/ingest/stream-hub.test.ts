import { describe, expect, it } from 'vitest';
import type { StreamStatus } from '../../shared/index.js';
import { StreamHub, type Frame, type FrameInput, type StreamHubOptions, type StreamInfo } from './stream-hub.js';

const STALL = 2000;
const OFFLINE = 10_000;

/** A hub on hand-moved clocks: wall starts at 1_000_000, monotonic at 0; both move together. */
function hubWith(options: Partial<StreamHubOptions> = {}) {
  let t = 0;
  const hub = new StreamHub({
    maxStreams: 8,
    bufferFrames: 3,
    stallAfterMs: STALL,
    offlineAfterMs: OFFLINE,
    now: () => 1_000_000 + t,
    monotonic: () => t,
    ...options,
  });
  return { hub, at: (ms: number) => (t = ms) };
}

function input(streamId: string, overrides: Partial<FrameInput> = {}): FrameInput {
  return { streamId, timestamp: 123, width: 64, height: 48, data: new Uint8Array(100), ...overrides };
}

/** Publishes and returns the accepted frame (fails the test if none). */
function publish(hub: StreamHub, frameInput: FrameInput): Frame {
  const result = hub.publish(frameInput);
  if (!result.ok || !result.frame) throw new Error(`publish refused: ${JSON.stringify(result)}`);
  return result.frame;
}

class RecordingListener {
  readonly frames: number[] = [];
  readonly statuses: Array<{ status: StreamStatus; info: StreamInfo }> = [];
  onFrame(frame: Frame): void {
    this.frames.push(frame.seq);
  }
  onStatus(status: StreamStatus, info: StreamInfo): void {
    this.statuses.push({ status, info });
  }
  get statusNames(): StreamStatus[] {
    return this.statuses.map((s) => s.status);
  }
}

describe('StreamHub publish', () => {
  it('assigns seq 1, 2, 3 per stream and stamps the frame', () => {
    const { hub, at } = hubWith();
    at(5);
    const first = publish(hub, input('a', { timestamp: 777, data: Uint8Array.of(1, 2, 3) }));
    expect(first).toEqual({
      streamId: 'a',
      seq: 1,
      timestamp: 777,
      receivedAt: 1_000_005,
      receivedMono: 5,
      width: 64,
      height: 48,
      data: Uint8Array.of(1, 2, 3),
      format: 'jpeg',
    });
    expect(publish(hub, input('a')).seq).toBe(2);
    expect(publish(hub, input('b')).seq).toBe(1);
    expect(publish(hub, input('a')).seq).toBe(3);
  });

  it('keeps at most bufferFrames frames, oldest first; latest is the newest', () => {
    const { hub } = hubWith({ bufferFrames: 3 });
    expect(hub.recent('a')).toEqual([]);
    expect(hub.latest('a')).toBeUndefined();
    for (let i = 0; i < 5; i++) publish(hub, input('a'));
    expect(hub.recent('a').map((f) => f.seq)).toEqual([3, 4, 5]);
    expect(hub.latest('a')?.seq).toBe(5);
  });

  it('hands each frame to subscribers', () => {
    const { hub } = hubWith();
    const listener = new RecordingListener();
    hub.subscribe('a', listener);
    publish(hub, input('a'));
    publish(hub, input('b'));
    publish(hub, input('a'));
    expect(listener.frames).toEqual([1, 2]);
  });

  it('counts frames and bytes and reports the size', () => {
    const { hub, at } = hubWith();
    publish(hub, input('a', { width: 320, height: 240, data: new Uint8Array(1000) }));
    publish(hub, input('a', { width: 640, height: 480, data: new Uint8Array(500) }));
    at(250);
    expect(hub.info('a')).toMatchObject({
      id: 'a',
      status: 'live',
      width: 640,
      height: 480,
      frames: 2,
      bytes: 1500,
      lastSeq: 2,
      lastFrameAgeMs: 250,
      subscribers: 0,
      outOfOrder: 0,
    });
    expect(hub.info('nope')).toBeUndefined();
  });
});

describe('StreamHub status', () => {
  it('goes offline -> live on the first frame, telling listeners', () => {
    const { hub } = hubWith();
    const listener = new RecordingListener();
    hub.subscribe('a', listener);
    expect(hub.info('a')).toMatchObject({ status: 'offline', frames: 0, lastFrameAgeMs: null, subscribers: 1 });
    publish(hub, input('a'));
    expect(listener.statusNames).toEqual(['live']);
    expect(listener.statuses[0]?.info).toMatchObject({ id: 'a', status: 'live', frames: 1, lastSeq: 1 });
    publish(hub, input('a'));
    expect(listener.statusNames).toEqual(['live']); // no repeat while live
  });

  it('goes stalled after stallAfterMs, offline after offlineAfterMs, and live again on a frame', () => {
    const { hub, at } = hubWith();
    const listener = new RecordingListener();
    hub.subscribe('a', listener);
    publish(hub, input('a'));
    at(STALL - 1);
    hub.tick();
    expect(hub.info('a')?.status).toBe('live');
    at(STALL);
    hub.tick();
    expect(hub.info('a')?.status).toBe('stalled');
    expect(listener.statuses[1]?.info).toMatchObject({ status: 'stalled', lastFrameAgeMs: STALL });
    at(OFFLINE - 1);
    hub.tick();
    expect(hub.info('a')?.status).toBe('stalled');
    at(OFFLINE);
    hub.tick();
    expect(hub.info('a')?.status).toBe('offline');
    at(OFFLINE + 5);
    publish(hub, input('a'));
    expect(hub.info('a')?.status).toBe('live');
    expect(listener.statusNames).toEqual(['live', 'stalled', 'offline', 'live']);
  });

  it('goes through stalled to offline in one late tick', () => {
    const { hub, at } = hubWith();
    const listener = new RecordingListener();
    hub.subscribe('a', listener);
    publish(hub, input('a'));
    at(OFFLINE + 1000);
    hub.tick();
    expect(listener.statusNames).toEqual(['live', 'stalled', 'offline']);
  });

  it('leaves a stream that never had a frame offline', () => {
    const { hub, at } = hubWith();
    const listener = new RecordingListener();
    hub.subscribe('a', listener);
    at(OFFLINE * 2);
    hub.tick();
    expect(hub.info('a')?.status).toBe('offline');
    expect(listener.statuses).toEqual([]);
  });
});

describe('StreamHub rates', () => {
  it('computes fps and bitrate over a 1 s period on tick', () => {
    const { hub, at } = hubWith();
    for (let i = 0; i < 10; i++) {
      at(i * 100);
      publish(hub, input('a', { data: new Uint8Array(1000) }));
    }
    at(999);
    hub.tick();
    expect(hub.info('a')).toMatchObject({ fps: 0, bitrate: 0 }); // period not over yet
    at(1000);
    hub.tick();
    expect(hub.info('a')).toMatchObject({ fps: 10, bitrate: 80_000 });
    // Next period: 5 frames of 2000 bytes over 1 s.
    for (let i = 0; i < 5; i++) {
      at(1000 + i * 200);
      publish(hub, input('a', { data: new Uint8Array(2000) }));
    }
    at(2000);
    hub.tick();
    expect(hub.info('a')).toMatchObject({ fps: 5, bitrate: 80_000 });
  });

  it('divides by the real elapsed time when a tick is late', () => {
    const { hub, at } = hubWith();
    for (let i = 0; i < 3; i++) publish(hub, input('a', { data: new Uint8Array(500) }));
    at(1500);
    hub.tick();
    expect(hub.info('a')).toMatchObject({ fps: 2, bitrate: 8000 });
  });

  it('zeroes fps and bitrate when the stream stalls', () => {
    const { hub, at } = hubWith();
    for (let i = 0; i < 4; i++) publish(hub, input('a'));
    at(1000);
    hub.tick();
    expect(hub.info('a')?.fps).toBe(4);
    at(STALL);
    hub.tick();
    expect(hub.info('a')).toMatchObject({ status: 'stalled', fps: 0, bitrate: 0 });
  });
});

describe('StreamHub maxStreams', () => {
  it('refuses a new stream with too_many_streams when none can be evicted', () => {
    const { hub } = hubWith({ maxStreams: 2 });
    publish(hub, input('a'));
    publish(hub, input('b'));
    expect(hub.publish(input('c'))).toEqual({ ok: false, code: 'too_many_streams' });
    expect(hub.subscribe('c', new RecordingListener())).toBeUndefined();
    expect(hub.size).toBe(2);
    expect(publish(hub, input('a')).seq).toBe(2); // existing streams still publish
  });

  it('evicts an offline stream with no subscribers to make room', () => {
    const { hub, at } = hubWith({ maxStreams: 2 });
    publish(hub, input('a'));
    at(100);
    publish(hub, input('b'));
    at(OFFLINE + 100);
    hub.tick(); // both offline now
    const result = hub.publish(input('c'));
    expect(result.ok).toBe(true);
    expect(hub.size).toBe(2);
    expect(hub.info('a')).toBeUndefined(); // went quiet first
    expect(hub.info('b')?.status).toBe('offline');
    expect(hub.info('c')?.status).toBe('live');
  });

  it('does not evict an offline stream that has a subscriber', () => {
    const { hub, at } = hubWith({ maxStreams: 1 });
    hub.subscribe('a', new RecordingListener());
    publish(hub, input('a'));
    at(OFFLINE);
    hub.tick();
    expect(hub.info('a')?.status).toBe('offline');
    expect(hub.publish(input('b'))).toEqual({ ok: false, code: 'too_many_streams' });
  });

  it('does not evict a live or stalled stream', () => {
    const { hub, at } = hubWith({ maxStreams: 1 });
    publish(hub, input('a'));
    expect(hub.publish(input('b'))).toEqual({ ok: false, code: 'too_many_streams' });
    at(STALL);
    hub.tick();
    expect(hub.info('a')?.status).toBe('stalled');
    expect(hub.publish(input('b'))).toEqual({ ok: false, code: 'too_many_streams' });
  });
});

describe('StreamHub subscriptions', () => {
  it('drops a viewer-only entry when its last viewer leaves', () => {
    const { hub } = hubWith();
    const one = hub.subscribe('a', new RecordingListener());
    const two = hub.subscribe('a', new RecordingListener());
    expect(hub.size).toBe(1);
    expect(hub.info('a')?.subscribers).toBe(2);
    one?.unsubscribe();
    expect(hub.info('a')?.subscribers).toBe(1);
    two?.unsubscribe();
    expect(hub.info('a')).toBeUndefined();
    expect(hub.size).toBe(0);
  });

  it('keeps an entry that had frames when its viewers leave', () => {
    const { hub } = hubWith();
    const sub = hub.subscribe('a', new RecordingListener());
    publish(hub, input('a'));
    sub?.unsubscribe();
    expect(hub.info('a')).toMatchObject({ frames: 1, subscribers: 0 });
  });

  it('unsubscribe is idempotent and stops delivery', () => {
    const { hub } = hubWith();
    const gone = new RecordingListener();
    const stays = new RecordingListener();
    const sub = hub.subscribe('a', gone);
    hub.subscribe('a', stays);
    publish(hub, input('a'));
    sub?.unsubscribe();
    sub?.unsubscribe();
    expect(hub.info('a')?.subscribers).toBe(1);
    publish(hub, input('a'));
    expect(gone.frames).toEqual([1]);
    expect(stays.frames).toEqual([1, 2]);
  });

  it("a second unsubscribe does not remove a later viewer's entry", () => {
    const { hub } = hubWith();
    const first = hub.subscribe('a', new RecordingListener());
    first?.unsubscribe();
    hub.subscribe('a', new RecordingListener());
    first?.unsubscribe();
    expect(hub.info('a')?.subscribers).toBe(1);
  });

  it('lists streams sorted by id', () => {
    const { hub } = hubWith();
    for (const id of ['b', 'C', 'a']) publish(hub, input(id));
    expect(hub.list().map((s) => s.id)).toEqual(['C', 'a', 'b']);
  });
});

describe('StreamHub source sequence', () => {
  it.each([
    { name: 'an older sourceSeq', seqs: [10, 11, 9], accepted: [10, 11], outOfOrder: 1 },
    { name: 'a repeated sourceSeq', seqs: [10, 10], accepted: [10], outOfOrder: 1 },
    { name: 'a jump back of 299', seqs: [1000, 701], accepted: [1000], outOfOrder: 1 },
    { name: 'a jump back of 300 (publisher restart)', seqs: [1000, 700], accepted: [1000, 700], outOfOrder: 0 },
    { name: 'a restart to 0', seqs: [5000, 0, 1], accepted: [5000, 0, 1], outOfOrder: 0 },
    { name: 'gaps forward', seqs: [1, 5, 50], accepted: [1, 5, 50], outOfOrder: 0 },
    // A publisher that restarts soon after it began: the second counter in a row confirms it.
    { name: 'an early restart', seqs: [262, 1, 2, 3], accepted: [262, 2, 3], outOfOrder: 1 },
    { name: 'an early restart, reordered', seqs: [262, 2, 1, 3, 4, 5], accepted: [262, 4, 5], outOfOrder: 3 },
    { name: 'stragglers out of sequence', seqs: [10, 8, 6, 9, 11], accepted: [10, 11], outOfOrder: 3 },
  ])('$name', ({ seqs, accepted, outOfOrder }) => {
    const { hub } = hubWith({ bufferFrames: 10 });
    const listener = new RecordingListener();
    hub.subscribe('a', listener);
    const kept: number[] = [];
    for (const sourceSeq of seqs) {
      const result = hub.publish(input('a', { sourceSeq, timestamp: sourceSeq }));
      expect(result.ok).toBe(true);
      if (result.ok && result.frame) kept.push(result.frame.timestamp);
      else expect(result).toEqual({ ok: true, dropped: 'out_of_order' });
    }
    expect(kept).toEqual(accepted);
    expect(listener.frames).toHaveLength(accepted.length);
    expect(hub.info('a')).toMatchObject({ outOfOrder, frames: accepted.length, lastSeq: accepted.length });
  });

  it('a dropped frame is compared against the last accepted sourceSeq', () => {
    const { hub } = hubWith();
    publish(hub, input('a', { sourceSeq: 10 }));
    expect(hub.publish(input('a', { sourceSeq: 8 }))).toEqual({ ok: true, dropped: 'out_of_order' });
    expect(hub.publish(input('a', { sourceSeq: 7 }))).toEqual({ ok: true, dropped: 'out_of_order' });
    expect(publish(hub, input('a', { sourceSeq: 11 })).seq).toBe(2);
  });

  it('an accepted frame clears a pending restart', () => {
    const { hub } = hubWith();
    publish(hub, input('a', { sourceSeq: 10 }));
    expect(hub.publish(input('a', { sourceSeq: 10 }))).toEqual({ ok: true, dropped: 'out_of_order' }); // a retry
    publish(hub, input('a', { sourceSeq: 11 }));
    // 11 again would have confirmed a restart after the dropped 10, had 11 not been accepted since.
    expect(hub.publish(input('a', { sourceSeq: 11 }))).toEqual({ ok: true, dropped: 'out_of_order' });
  });

  it('a frame without sourceSeq is accepted and leaves the last sourceSeq in place', () => {
    const { hub } = hubWith();
    publish(hub, input('a', { sourceSeq: 10 }));
    expect(publish(hub, input('a')).seq).toBe(2);
    expect(hub.publish(input('a', { sourceSeq: 9 }))).toEqual({ ok: true, dropped: 'out_of_order' });
  });
});
