import { encodeFrameEnvelope } from '../../shared/index.js';
import type { Payload } from './payload.js';

/** What a publisher run did. */
export interface PublishResult {
  readonly attempted: number;
  readonly accepted: number;
  /** Ticks where both request slots were busy, so the frame was not sent (newest-wins, like capture). */
  readonly skipped: number;
  readonly statuses: Record<string, number>;
  readonly seconds: number;
  /** The last `seq` sent; a following run continues after it, as one publisher would. */
  readonly lastSeq: number;
}

/**
 * Posts `payload` to `/streams/:id/frames` at `fps` (0: as fast as
 * `maxInFlight` requests allow) for `durationMs`, over keep-alive
 * connections, numbering frames from `afterSeq + 1`.
 */
export async function publish(
  baseUrl: string,
  streamId: string,
  payload: Payload,
  fps: number,
  durationMs: number,
  { maxInFlight = 2, afterSeq = 0 }: { maxInFlight?: number; afterSeq?: number } = {},
): Promise<PublishResult> {
  const url = `${baseUrl}/streams/${streamId}/frames`;
  const statuses: Record<string, number> = {};
  let attempted = 0;
  let accepted = 0;
  let skipped = 0;
  let inFlight = 0;
  let seq = afterSeq;
  const started = performance.now();
  const end = started + durationMs;
  const postOne = async (): Promise<void> => {
    inFlight++;
    attempted++;
    const body = encodeFrameEnvelope({
      streamId,
      seq: ++seq,
      timestamp: Date.now(),
      width: payload.width,
      height: payload.height,
      data: payload.jpeg,
    });
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: body as Uint8Array<ArrayBuffer>,
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 204) accepted++;
    } catch (err) {
      const key = (err as Error).name;
      statuses[key] = (statuses[key] ?? 0) + 1;
    } finally {
      inFlight--;
    }
  };
  if (fps <= 0) {
    const lane = async (): Promise<void> => {
      while (performance.now() < end) await postOne();
    };
    await Promise.all(Array.from({ length: maxInFlight }, lane));
  } else {
    const interval = 1000 / fps;
    let next = started;
    const pending = new Set<Promise<void>>();
    while (next < end) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += interval;
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      const p = postOne();
      pending.add(p);
      void p.then(() => pending.delete(p));
    }
    await Promise.all(pending);
  }
  return { attempted, accepted, skipped, statuses, seconds: (performance.now() - started) / 1000, lastSeq: seq };
}
