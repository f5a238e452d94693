import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../common/logger.js';
import type { DropReason } from './errors.js';
import { Publisher, type OutgoingFrame, type PostOutcome } from './publisher.js';

interface Call {
  frame: OutgoingFrame;
  resolve(outcome: PostOutcome): void;
}

/** A publisher whose POSTs stay pending until the test answers them. */
function harness(options: { maxInFlight?: number } = {}) {
  const calls: Call[] = [];
  const drops: DropReason[] = [];
  const posted: number[] = [];
  const rejected: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const publisher = new Publisher({
    send: (frame) => new Promise<PostOutcome>((resolve) => calls.push({ frame, resolve })),
    log: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    backoff: { initialMs: 100, maxMs: 400 },
    random: () => 0,
    hooks: {
      onPosted: (f) => posted.push(f.seq),
      onDropped: (r) => drops.push(r),
      onRejected: (c) => rejected.push(c),
    },
    ...options,
  });
  const frame = (seq: number): OutgoingFrame => ({
    jpeg: Buffer.from([seq]),
    width: 1,
    height: 1,
    timestamp: seq,
    seq,
  });
  const warnings = (): Array<Record<string, unknown>> => lines.filter((l) => l.level === 'warn');
  return { publisher, calls, drops, posted, rejected, lines, frame, warnings };
}

const ACCEPTED: PostOutcome = { kind: 'accepted' };
const DOWN: PostOutcome = { kind: 'down', error: 'connect ECONNREFUSED 127.0.0.1:3000' };
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Publisher: ingest slower than the camera', () => {
  it('keeps at most 2 POSTs in flight and sends only the newest frame when one completes', async () => {
    const h = harness();
    for (let seq = 1; seq <= 10; seq++) h.publisher.offer(h.frame(seq));
    expect(h.calls.map((c) => c.frame.seq)).toEqual([1, 2]);
    expect(h.publisher.requestsInFlight).toBe(2);
    expect(h.drops).toEqual(new Array(7).fill('superseded')); // 3..9 replaced in turn; 10 waits
    h.calls[0]?.resolve(ACCEPTED);
    await flush();
    expect(h.calls.map((c) => c.frame.seq)).toEqual([1, 2, 10]);
    h.calls[1]?.resolve(ACCEPTED);
    h.calls[2]?.resolve(ACCEPTED);
    await flush();
    expect(h.posted).toEqual([1, 2, 10]);
    expect(h.publisher.requestsInFlight).toBe(0);
  });

  it('honours maxInFlight', () => {
    const h = harness({ maxInFlight: 1 });
    for (let seq = 1; seq <= 3; seq++) h.publisher.offer(h.frame(seq));
    expect(h.calls).toHaveLength(1);
  });
});

describe('Publisher: ingest down', () => {
  it('holds only the newest frame, retries after a backoff that grows, and resumes when ingest answers', async () => {
    const h = harness();
    h.publisher.offer(h.frame(1));
    h.calls[0]?.resolve(DOWN);
    await flush();
    expect(h.publisher.ingestUp).toBe(false);
    for (let seq = 2; seq <= 5; seq++) h.publisher.offer(h.frame(seq));
    expect(h.calls).toHaveLength(1); // nothing sent while waiting
    expect(h.drops).toEqual(['ingest_down', 'ingest_down', 'ingest_down', 'ingest_down']); // 1 failed, 2..4 replaced

    vi.advanceTimersByTime(99);
    expect(h.calls).toHaveLength(1);
    vi.advanceTimersByTime(1); // first retry after 100 ms
    expect(h.calls.map((c) => c.frame.seq)).toEqual([1, 5]);
    h.calls[1]?.resolve(DOWN);
    await flush();
    h.publisher.offer(h.frame(6));
    vi.advanceTimersByTime(199);
    expect(h.calls).toHaveLength(2);
    vi.advanceTimersByTime(1); // second retry after 200 ms
    expect(h.calls.map((c) => c.frame.seq)).toEqual([1, 5, 6]);

    h.publisher.offer(h.frame(7)); // waits behind the probe
    h.calls[2]?.resolve(ACCEPTED);
    await flush();
    expect(h.publisher.ingestUp).toBe(true);
    expect(h.calls.map((c) => c.frame.seq)).toEqual([1, 5, 6, 7]);
    expect(h.warnings().filter((l) => String(l.msg).startsWith('ingest unreachable'))).toHaveLength(1);
    expect(h.lines.some((l) => l.msg === 'ingest reachable again')).toBe(true);
  });

  it('probes as soon as a frame arrives when the retry came with nothing to send', async () => {
    const h = harness();
    h.publisher.offer(h.frame(1));
    h.calls[0]?.resolve(DOWN);
    await flush();
    vi.advanceTimersByTime(100);
    expect(h.calls).toHaveLength(1);
    h.publisher.offer(h.frame(2));
    expect(h.calls.map((c) => c.frame.seq)).toEqual([1, 2]);
  });

  it('counts a send that throws or rejects as down', async () => {
    const drops: DropReason[] = [];
    const publisher = new Publisher({
      send: () => Promise.reject(new Error('socket hang up')),
      log: createLogger({ level: 'silent' }),
      backoff: { initialMs: 100, maxMs: 400 },
      hooks: { onDropped: (r) => drops.push(r) },
    });
    publisher.offer({ jpeg: Buffer.alloc(1), width: 1, height: 1, timestamp: 1, seq: 1 });
    await flush();
    expect(publisher.ingestUp).toBe(false);
    expect(drops).toEqual(['ingest_down']);
  });
});

describe('Publisher: 4xx answers', () => {
  const rejectedBy = (code: string, status = 400): PostOutcome => ({ kind: 'rejected', status, code, message: code });

  it('logs once per error code, counts every one, and logs again after a success', async () => {
    const h = harness();
    const answers = [
      rejectedBy('rate_limited', 429),
      rejectedBy('rate_limited', 429),
      rejectedBy('unauthorized', 401),
      rejectedBy('rate_limited', 429),
      ACCEPTED,
      rejectedBy('rate_limited', 429),
    ];
    for (const [i, answer] of answers.entries()) {
      h.publisher.offer(h.frame(i + 1));
      h.calls[i]?.resolve(answer);
      await flush();
    }
    expect(h.rejected).toEqual(['rate_limited', 'rate_limited', 'unauthorized', 'rate_limited', 'rate_limited']);
    expect(h.drops).toEqual(new Array(5).fill('rejected'));
    expect(h.warnings().map((l) => l.code)).toEqual(['rate_limited', 'unauthorized', 'rate_limited']);
    expect(h.publisher.ingestUp).toBe(true); // a 4xx is not an outage: no backoff
  });
});

describe('Publisher: stop', () => {
  it('drops the waiting frame and every later one as stopped', () => {
    const h = harness();
    for (let seq = 1; seq <= 3; seq++) h.publisher.offer(h.frame(seq));
    h.publisher.stop();
    h.publisher.offer(h.frame(4));
    expect(h.drops).toEqual(['stopped', 'stopped']);
    expect(h.calls).toHaveLength(2);
  });
});
