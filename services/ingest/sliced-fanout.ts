/** Scheduling of one stream's fan-out; knows nothing of sockets. */

/** What a sliced fan-out calls. */
export interface SliceHandlers<M, F> {
  /** Gives `frame` to one member. */
  deliver(member: M, frame: F): void;
  /** `member` was still waiting for `frame` when a newer one arrived: it never gets `frame`. */
  superseded(member: M, frame: F): void;
  /** A slice ended after delivering `count` frames (for bulk metrics). */
  sliceDone(frame: F, count: number): void;
}

/** Clock and scheduler, injectable for tests. */
export interface SliceTiming {
  readonly sliceMs: number;
  now(): number;
  /** Runs `fn` after pending I/O (setImmediate in production). */
  defer(fn: () => void): void;
}

/**
 * Hands the newest frame to every member in slices of at most `sliceMs`,
 * yielding to the event loop between slices. A frame for many viewers is
 * thousands of socket writes; done in one go, they hold up everything else
 * the process does, and under load the publisher's next request waits behind
 * them, so ingest itself falls below the camera's frame rate. Sliced, request
 * bodies and acknowledgements are read between slices.
 *
 * When a newer frame arrives before a pass has reached everyone, the members
 * still waiting get the newer frame instead (each keeps its place in the
 * queue, so no one starves) and the older one counts as superseded for them.
 * Memory: one queue entry per member at most, one frame.
 */
export class SlicedFanout<M, F> {
  private readonly queue = new Set<M>();
  private frame: F | undefined;
  private scheduled = false;

  constructor(
    private readonly handlers: SliceHandlers<M, F>,
    private readonly timing: SliceTiming,
  ) {}

  /** Delivers `frame` to every member: a first slice now, the rest queued for later slices. */
  publish(frame: F, members: Iterable<M>): void {
    const older = this.frame;
    this.frame = frame;
    if (older !== undefined) {
      for (const m of this.queue) this.handlers.superseded(m, older);
      for (const m of members) this.queue.add(m);
      this.runSlice();
      return;
    }
    // No pass under way (the usual case): deliver straight from `members`, queueing only what the slice leaves.
    const deadline = this.timing.now() + this.timing.sliceMs;
    let count = 0;
    let full = false;
    for (const m of members) {
      if (full) {
        this.queue.add(m);
        continue;
      }
      this.handlers.deliver(m, frame);
      count++;
      if ((count & 7) === 0 && this.timing.now() >= deadline) full = true;
    }
    this.endSlice(frame, count);
  }

  /** Forgets a member (it left); a no-op when it is not waiting. */
  remove(member: M): void {
    this.queue.delete(member);
  }

  /** Members still waiting for the current frame. */
  get waiting(): number {
    return this.queue.size;
  }

  private readonly continueLater = (): void => {
    this.scheduled = false;
    this.runSlice();
  };

  private runSlice(): void {
    const frame = this.frame;
    if (frame === undefined) return;
    const deadline = this.timing.now() + this.timing.sliceMs;
    let count = 0;
    for (const m of this.queue) {
      this.queue.delete(m);
      this.handlers.deliver(m, frame);
      count++;
      // Reading the clock costs about as much as a small send; every 8th will do.
      if ((count & 7) === 0 && this.queue.size > 0 && this.timing.now() >= deadline) break;
    }
    this.endSlice(frame, count);
  }

  private endSlice(frame: F, count: number): void {
    if (count > 0) this.handlers.sliceDone(frame, count);
    if (this.queue.size === 0) {
      this.frame = undefined;
    } else if (!this.scheduled) {
      this.scheduled = true;
      this.timing.defer(this.continueLater);
    }
  }
}
