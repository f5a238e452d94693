import { once } from 'node:events';
import { decode } from '@msgpack/msgpack';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { CloseCode, decodeViewerFrame } from '../../../shared/index.js';
import {
  closeOf,
  connectViewer,
  metricValue,
  noiseJpeg,
  postFrame,
  seedBody,
  solidJpeg,
  startTestIngest,
  waitFor,
  type TestViewer,
} from './helpers.js';
import { wireOf } from '../ws-fanout.js';
import { wsHeaderLength } from '../ws-frame.js';

const wsUrl = (base: string, path: string): string => base.replace(/^http/, 'ws') + path;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Acknowledges every frame as the player does once it has drawn it. */
function ackEach(v: TestViewer): void {
  v.ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const f = decodeViewerFrame(data as Buffer);
    if (f.ok) v.ws.send(JSON.stringify({ type: 'ack', seq: f.value.seq }));
  });
}

describe('ws fan-out', () => {
  it('delivers byte-identical JPEGs, in order, to every viewer (acking or not)', async () => {
    const server = await startTestIngest();
    const viewers: TestViewer[] = [];
    try {
      for (let i = 0; i < 6; i++) viewers.push(await connectViewer(wsUrl(server.url, '/streams/cam1/ws')));
      viewers.slice(0, 3).forEach(ackEach);
      const jpegs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => solidJpeg(160, 120, [i * 12, 255 - i * 12, (i * 40) % 256])),
      );
      for (const [i, jpeg] of jpegs.entries()) {
        const res = await postFrame(server.url, 'cam1', seedBody(jpeg, 160, 120, 1_700_000_000_000 + i));
        expect(res.status).toBe(204);
        await sleep(15);
      }
      for (const v of viewers) {
        await v.until(() => v.binary.length === jpegs.length);
        const frames = v.binary.map((b) => {
          const f = decodeViewerFrame(b);
          if (!f.ok) throw new Error(f.message);
          return f.value;
        });
        expect(frames.map((f) => f.seq)).toEqual(jpegs.map((_, i) => i + 1));
        expect(frames.map((f) => f.timestamp)).toEqual(jpegs.map((_, i) => 1_700_000_000_000 + i));
        frames.forEach((f, i) => expect(Buffer.from(f.data).equals(jpegs[i] as Buffer)).toBe(true));
        expect(frames.every((f) => f.streamId === 'cam1' && f.width === 160 && f.height === 120)).toBe(true);
      }
      expect(await metricValue(server.registry, 'fanout_frames_sent_total', { stream: 'cam1' })).toBe(6 * 20);
      expect(await metricValue(server.registry, 'ingest_frames_received_total', { stream: 'cam1' })).toBe(20);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await server.close();
    }
  });

  it('frames each viewer message once: around the JPEG of a body read in several chunks, as a head before a one-chunk one', async () => {
    const server = await startTestIngest();
    const viewer = await connectViewer(wsUrl(server.url, '/streams/big/ws'));
    try {
      const large = await noiseJpeg(640, 480); // several hundred KB: read in several chunks
      const small = await solidJpeg(64, 48, [1, 2, 3]); // one chunk
      for (const [jpeg, w, h, inPlace] of [
        [large, 640, 480, true],
        [small, 64, 48, false],
      ] as const) {
        expect((await postFrame(server.url, 'big', seedBody(jpeg, w, h))).status).toBe(204);
        const latest = server.hub.latest('big');
        if (!latest) throw new Error('no frame');
        const wire = wireOf(latest);
        // The bytes every viewer's socket gets: a final binary WebSocket frame carrying the viewer envelope.
        const bytes = Buffer.isBuffer(wire) ? wire : Buffer.concat([wire.head, wire.body]);
        if (inPlace) expect(Buffer.isBuffer(wire) && wire.buffer === latest.data.buffer).toBe(true);
        else {
          // head, then the JPEG where it lies
          expect(!Buffer.isBuffer(wire) && wire.body.buffer === latest.data.buffer).toBe(true);
          expect(!Buffer.isBuffer(wire) && wire.body.byteOffset === latest.data.byteOffset).toBe(true);
        }
        expect(bytes[0]).toBe(0x82);
        const lengthCode = bytes[1] as number; // unmasked: no mask bit
        const declared = lengthCode === 127 ? Number(bytes.readBigUInt64BE(2)) : bytes.readUInt16BE(2);
        expect(lengthCode === 126 || lengthCode === 127).toBe(true);
        const payload = bytes.subarray(wsHeaderLength(declared));
        expect(declared).toBe(payload.length);
        const framed = decodeViewerFrame(payload);
        expect(framed.ok && framed.value.seq === latest.seq && Buffer.from(framed.value.data).equals(jpeg)).toBe(true);

        await viewer.until(() => viewer.binary.length === (inPlace ? 1 : 2)); // one message per frame
        const got = decodeViewerFrame(viewer.binary.at(-1) as Buffer);
        expect(got.ok && Buffer.from(got.value.data).equals(jpeg)).toBe(true);
        expect(viewer.binary.at(-1)).toEqual(payload);
      }
    } finally {
      await viewer.close();
      await server.close();
    }
  });

  it('works with the seed producer and the seed player unchanged (POST /ingest, GET /ws)', async () => {
    const server = await startTestIngest({ STATS_INTERVAL_MS: 100 });
    let viewer: TestViewer | undefined;
    try {
      viewer = await connectViewer(wsUrl(server.url, '/ws'));
      const jpeg = await solidJpeg(320, 240, [0, 0, 255]);
      // Exactly the seed producer's request: aiohttp session header + X-Frame-Format.
      const res = await fetch(`${server.url}/ingest`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'X-Frame-Format': 'msgpack-jpeg' },
        body: seedBody(jpeg, 320, 240, 1234) as Uint8Array<ArrayBuffer>,
      });
      expect(res.status).toBe(200); // the seed producer counts a frame as sent only on 200
      const v = viewer;
      await v.until(() => v.binary.length === 1);
      // The seed player: msgpack.decode(new Uint8Array(data)) and reads four fields.
      const frame = decode(new Uint8Array(v.binary[0] as Buffer)) as Record<string, unknown>;
      expect(frame.timestamp).toBe(1234);
      expect(frame.width).toBe(320);
      expect(frame.height).toBe(240);
      expect(Buffer.from(frame.data as Uint8Array).equals(jpeg)).toBe(true);
      expect(server.hub.info('default')?.frames).toBe(1);
      // Viewers that never speak the control protocol get no periodic stats.
      await sleep(350);
      expect(v.text[0]?.type).toBe('hello');
      expect(v.text.filter((m) => m.type === 'stats')).toEqual([]);
    } finally {
      await viewer?.close();
      await server.close();
    }
  });

  it('gives a late joiner hello and then the latest frame at once', async () => {
    const server = await startTestIngest();
    let late: TestViewer | undefined;
    try {
      for (let i = 0; i < 3; i++) {
        expect(
          (await postFrame(server.url, 'lobby', seedBody(await solidJpeg(64, 48, [i, i, i]), 64, 48))).status,
        ).toBe(204);
      }
      const messages: string[] = [];
      late = await connectViewer(wsUrl(server.url, '/streams/lobby/ws'));
      late.ws.on('message', (_d, isBinary) => messages.push(isBinary ? 'frame' : 'text'));
      const v = late;
      await v.until(() => v.binary.length === 1, 2000);
      expect(v.text[0]).toMatchObject({ type: 'hello', streamId: 'lobby', status: 'live', width: 64, height: 48 });
      const f = decodeViewerFrame(v.binary[0] as Buffer);
      expect(f.ok && f.value.seq).toBe(3);
    } finally {
      await late?.close();
      await server.close();
    }
  });

  it('skips frames for a paused viewer, counts its drops, and keeps fast viewers whole', async () => {
    const server = await startTestIngest({ MAX_PUBLISH_FPS: 1000, VIEWER_STALL_TIMEOUT_MS: 60_000 });
    const fast: TestViewer[] = [];
    let paused: TestViewer | undefined;
    try {
      paused = await connectViewer(wsUrl(server.url, '/streams/big/ws'));
      for (let i = 0; i < 3; i++) fast.push(await connectViewer(wsUrl(server.url, '/streams/big/ws')));
      ackEach(fast[0] as TestViewer);
      paused.pause();
      const jpeg = await noiseJpeg(640, 360, 80); // ~150 KB
      const frames = 120; // ~18 MB: more than loopback socket buffers hold
      for (let i = 0; i < frames; i++) {
        expect((await postFrame(server.url, 'big', seedBody(jpeg, 640, 360))).status).toBe(204);
        await sleep(12);
      }
      for (const v of fast) await v.until(() => v.binary.length === frames, 10_000);
      const dropped = await metricValue(server.registry, 'fanout_frames_dropped_total', {
        stream: 'big',
        reason: 'buffer_full',
      });
      expect(dropped).toBeGreaterThan(0);
      expect(server.fanout.droppedFrames('big')).toBe(dropped);
      // Only the paused viewer lost frames: every fast one got all of them, in order.
      for (const v of fast) {
        const seqs = v.binary.map((b) => (decodeViewerFrame(b) as { value: { seq: number } }).value.seq);
        expect(seqs).toEqual(Array.from({ length: frames }, (_, i) => i + 1));
      }
      const sent = await metricValue(server.registry, 'fanout_frames_sent_total', { stream: 'big' });
      expect(sent + dropped).toBeLessThanOrEqual(4 * frames);
      expect(sent).toBeGreaterThanOrEqual(3 * frames);
    } finally {
      await Promise.all([...fast, ...(paused ? [paused] : [])].map((v) => v.close()));
      await server.close();
    }
  });

  it('holds an acknowledging viewer to its window and sends the newest frame when it acks', async () => {
    const server = await startTestIngest({ VIEWER_WINDOW: 2 });
    let v: TestViewer | undefined;
    try {
      v = await connectViewer(wsUrl(server.url, '/streams/w/ws'));
      v.ws.send(JSON.stringify({ type: 'ack', seq: 0 })); // switches the viewer to acknowledged flow
      const jpeg = await solidJpeg(64, 48, [9, 9, 9]);
      await waitFor(() => server.hub.info('w') !== undefined);
      await sleep(50);
      for (let i = 0; i < 6; i++) expect((await postFrame(server.url, 'w', seedBody(jpeg, 64, 48))).status).toBe(204);
      const viewer = v;
      await viewer.until(() => viewer.binary.length === 2);
      await sleep(100);
      expect(viewer.binary.length).toBe(2); // window of 2, nothing acknowledged
      viewer.ws.send(JSON.stringify({ type: 'ack', seq: 2 }));
      await viewer.until(() => viewer.binary.length === 3);
      const last = decodeViewerFrame(viewer.binary[2] as Buffer);
      expect(last.ok && last.value.seq).toBe(6); // the newest, not the next in line
      expect(
        await metricValue(server.registry, 'fanout_frames_dropped_total', { stream: 'w', reason: 'window_full' }),
      ).toBe(3);
    } finally {
      await v?.close();
      await server.close();
    }
  });

  it('answers time sync, reports invalid messages, and sends stats to the control protocol', async () => {
    const server = await startTestIngest({ STATS_INTERVAL_MS: 100 });
    let v: TestViewer | undefined;
    try {
      v = await connectViewer(wsUrl(server.url, '/streams/sync/ws'));
      const viewer = v;
      const before = Date.now();
      viewer.ws.send(JSON.stringify({ type: 'time_sync', clientTime: 42 }));
      viewer.ws.send('not json');
      await viewer.until(() => viewer.text.some((m) => m.type === 'time_sync'));
      const sync = viewer.text.find((m) => m.type === 'time_sync') as { clientTime: number; serverTime: number };
      expect(sync.clientTime).toBe(42);
      expect(sync.serverTime).toBeGreaterThanOrEqual(before);
      await viewer.until(() => viewer.text.some((m) => m.type === 'error'));
      expect(viewer.text.find((m) => m.type === 'error')).toMatchObject({ code: 'invalid_message' });
      await viewer.until(() => viewer.text.some((m) => m.type === 'stats'));
      expect(viewer.text.find((m) => m.type === 'stats')).toMatchObject({
        streamId: 'sync',
        viewers: 1,
        sent: 0,
        dropped: 0,
      });
      expect(viewer.ws.readyState).toBe(viewer.ws.OPEN);
    } finally {
      await v?.close();
      await server.close();
    }
  });

  it('sends stats with the frames, and on their own to a viewer that gets no frames', async () => {
    const server = await startTestIngest({ STATS_INTERVAL_MS: 100 });
    const viewers: TestViewer[] = [];
    try {
      const live = await connectViewer(wsUrl(server.url, '/streams/st/ws'));
      const stuck = await connectViewer(wsUrl(server.url, '/streams/st/ws'));
      viewers.push(live, stuck);
      ackEach(live);
      stuck.ws.send(JSON.stringify({ type: 'ack', seq: 0 })); // acknowledges, then never again: its window closes
      const jpeg = await solidJpeg(64, 48, [9, 9, 9]);
      const statsOf = (v: TestViewer) => v.text.filter((m) => m.type === 'stats');
      const startedAt = Date.now();
      while (Date.now() - startedAt < 800) {
        expect((await postFrame(server.url, 'st', seedBody(jpeg, 64, 48))).status).toBe(204);
        await sleep(20);
      }
      await sleep(300); // the last round's stats for the stuck viewer go alone
      expect(stuck.binary.length).toBe(2); // VIEWER_WINDOW
      expect(live.binary.length).toBeGreaterThan(20);
      // A round every 100 ms for about 1.1 s: each viewer got nearly all of them, in order.
      for (const v of viewers) {
        const stats = statsOf(v);
        expect(stats.length).toBeGreaterThanOrEqual(6);
        const sent = stats.map((m) => m.sent as number);
        expect([...sent].sort((a, b) => a - b)).toEqual(sent);
      }
      expect(statsOf(stuck).at(-1)).toMatchObject({ sent: 2, status: 'live', viewers: 2 });
    } finally {
      for (const v of viewers) await v.close();
      await server.close();
    }
  });

  it('refuses viewers over the per-stream and global limits with 1013', async () => {
    const server = await startTestIngest({ MAX_VIEWERS: 3, MAX_VIEWERS_PER_STREAM: 2 });
    const open: TestViewer[] = [];
    try {
      open.push(await connectViewer(wsUrl(server.url, '/streams/a/ws')));
      open.push(await connectViewer(wsUrl(server.url, '/streams/a/ws')));
      const third = await connectViewer(wsUrl(server.url, '/streams/a/ws'));
      open.push(third);
      expect(await closeOf(third.ws)).toEqual({
        code: CloseCode.TRY_AGAIN_LATER,
        reason: 'too_many_viewers_for_stream',
      });
      open.push(await connectViewer(wsUrl(server.url, '/streams/b/ws')));
      const fourth = await connectViewer(wsUrl(server.url, '/streams/c/ws'));
      open.push(fourth);
      expect(await closeOf(fourth.ws)).toEqual({ code: CloseCode.TRY_AGAIN_LATER, reason: 'too_many_viewers' });
      expect(await metricValue(server.registry, 'fanout_viewers_refused_total', { reason: 'too_many_viewers' })).toBe(
        1,
      );
      expect(server.fanout.viewers).toBe(3);
    } finally {
      await Promise.all(open.map((v) => v.close()));
      await server.close();
    }
  });

  it('requires VIEWER_TOKEN when set (4401 without it)', async () => {
    const server = await startTestIngest({ VIEWER_TOKEN: 'viewer-secret-1' });
    const open: TestViewer[] = [];
    try {
      const anon = await connectViewer(wsUrl(server.url, '/streams/t/ws'));
      open.push(anon);
      expect((await closeOf(anon.ws)).code).toBe(CloseCode.UNAUTHORIZED);
      const wrong = await connectViewer(wsUrl(server.url, '/streams/t/ws?token=nope-nope-nope'));
      open.push(wrong);
      expect((await closeOf(wrong.ws)).code).toBe(CloseCode.UNAUTHORIZED);
      const ok = await connectViewer(wsUrl(server.url, '/streams/t/ws?token=viewer-secret-1'));
      open.push(ok);
      await ok.until(() => ok.text.length > 0);
      expect(ok.text[0]?.type).toBe('hello');
      expect((await fetch(`${server.url}/streams`)).status).toBe(401);
      expect((await fetch(`${server.url}/streams?token=viewer-secret-1`)).status).toBe(200);
    } finally {
      await Promise.all(open.map((v) => v.close()));
      await server.close();
    }
  });

  it('closes a viewer that reads nothing past VIEWER_STALL_TIMEOUT_MS with 4408', async () => {
    const server = await startTestIngest({ VIEWER_STALL_TIMEOUT_MS: 300, MAX_PUBLISH_FPS: 1000 });
    let stuck: TestViewer | undefined;
    try {
      stuck = await connectViewer(wsUrl(server.url, '/streams/s/ws'));
      stuck.ws.send(JSON.stringify({ type: 'ack', seq: 0 }));
      await sleep(50);
      const closed = closeOf(stuck.ws);
      const jpeg = await solidJpeg(64, 48, [1, 2, 3]);
      // Never acknowledges: the window fills after two frames and stays full.
      for (let i = 0; i < 5; i++) await postFrame(server.url, 's', seedBody(jpeg, 64, 48));
      const t0 = Date.now();
      await waitFor(() => server.fanout.viewerCount('s') === 0, 5000);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(await metricValue(server.registry, 'fanout_viewers_closed_total', { reason: 'viewer_too_slow' })).toBe(1);
      expect((await closed).code).toBe(CloseCode.VIEWER_TOO_SLOW);
    } finally {
      await stuck?.close();
      await server.close();
    }
  });

  it('terminates a viewer that stops answering pings', async () => {
    const server = await startTestIngest({ WS_PING_INTERVAL_MS: 150 });
    const mute = new WebSocket(wsUrl(server.url, '/streams/hb/ws'), { autoPong: false });
    const alive = new WebSocket(wsUrl(server.url, '/streams/hb/ws'));
    try {
      await Promise.all([once(mute, 'open'), once(alive, 'open')]);
      const [code] = (await once(mute, 'close')) as [number];
      expect(code).toBe(1006); // terminated, no close frame
      expect(await metricValue(server.registry, 'fanout_viewers_closed_total', { reason: 'heartbeat_timeout' })).toBe(
        1,
      );
      await sleep(400);
      expect(alive.readyState).toBe(WebSocket.OPEN); // answering pings keeps a viewer
      expect(server.fanout.viewerCount('hb')).toBe(1);
    } finally {
      mute.terminate();
      alive.terminate();
      await server.close();
    }
  });

  it('pings only viewers that went quiet, and still closes one that stops answering', async () => {
    const server = await startTestIngest({ WS_PING_INTERVAL_MS: 100 });
    const talker = new WebSocket(wsUrl(server.url, '/streams/hb2/ws'), { autoPong: false });
    const quiet = new WebSocket(wsUrl(server.url, '/streams/hb2/ws'));
    let chatter: NodeJS.Timeout | undefined;
    try {
      await Promise.all([once(talker, 'open'), once(quiet, 'open')]);
      const pings = { talker: 0, quiet: 0 };
      talker.on('ping', () => pings.talker++);
      quiet.on('ping', () => pings.quiet++);
      // An acknowledging player talks far more often than the heartbeat.
      chatter = setInterval(() => talker.send(JSON.stringify({ type: 'ack', seq: 0 })), 20);
      await sleep(650);
      expect(pings.talker).toBe(0); // it never had to answer a ping, so never had the chance to miss one
      expect(talker.readyState).toBe(WebSocket.OPEN);
      expect(pings.quiet).toBeGreaterThanOrEqual(4);
      // Now it goes quiet and, as autoPong is off, does not answer the pings that follow.
      clearInterval(chatter);
      const [code] = (await once(talker, 'close')) as [number];
      expect(code).toBe(1006);
      expect(pings.talker).toBeGreaterThanOrEqual(1);
      expect(await metricValue(server.registry, 'fanout_viewers_closed_total', { reason: 'heartbeat_timeout' })).toBe(
        1,
      );
      expect(quiet.readyState).toBe(WebSocket.OPEN);
    } finally {
      clearInterval(chatter);
      talker.terminate();
      quiet.terminate();
      await server.close();
    }
  });
});
