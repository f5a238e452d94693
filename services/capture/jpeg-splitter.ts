/** Why the splitter discarded bytes it had taken for a frame. */
export type SplitterDrop = 'oversize' | 'corrupt';

/** What the splitter has seen since it was made. */
export interface SplitterStats {
  frames: number;
  oversize: number;
  corrupt: number;
  /** Bytes skipped outside any frame (before an SOI). */
  garbageBytes: number;
}

const enum State {
  /** Outside a frame, looking for SOI (FF D8). */
  Seek,
  /** Inside a frame's headers, expecting a marker (FF xx). */
  Marker,
  /** Reading the first byte of a segment length. */
  Length1,
  /** Reading the second byte of a segment length. */
  Length2,
  /** Skipping a segment's payload. */
  Skip,
  /** Inside entropy-coded scan data, looking for the next marker. */
  Entropy,
}

const FF = Buffer.from([0xff]);

function isRst(b: number): boolean {
  return b >= 0xd0 && b <= 0xd7;
}

/**
 * Cuts a byte stream of concatenated JPEGs (FFmpeg's `image2pipe` output) into
 * whole JPEGs. It walks the markers (ITU T.81 B.1) rather than searching for
 * FF D9, so an EOI inside an embedded thumbnail (APP1) does not end a frame
 * early. Frames may be split across chunks at any byte and several may share a
 * chunk; bytes between frames are skipped. A frame that grows past
 * `maxFrameBytes`, or whose markers make no sense, is dropped and counted, and
 * the splitter resynchronises on the next SOI.
 */
export class JpegSplitter {
  readonly stats: SplitterStats = { frames: 0, oversize: 0, corrupt: 0, garbageBytes: 0 };
  private state = State.Seek;
  /** A 0xFF ended the previous chunk (Seek, Marker and Entropy states). */
  private pendingFF = false;
  private length = 0;
  private remaining = 0;
  /** The state after the current segment: Entropy after SOS, Marker otherwise. */
  private afterSegment = State.Marker;
  /** Pieces of the frame from earlier chunks. */
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly onFrame: (jpeg: Buffer) => void,
    private readonly maxFrameBytes: number,
    private readonly onDrop: (reason: SplitterDrop, bytes: number) => void = () => undefined,
  ) {}

  /** Forgets any partial frame (e.g. when FFmpeg restarts): it is not counted as dropped. */
  reset(): void {
    this.state = State.Seek;
    this.pendingFF = false;
    this.parts = [];
    this.size = 0;
  }

  /** Feeds the next chunk; calls `onFrame` for each JPEG it completes, in order. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    // Start of the current frame within this chunk; -1 when not in a frame.
    let start = this.state === State.Seek ? -1 : 0;
    while (i < n) {
      switch (this.state) {
        case State.Seek: {
          if (this.pendingFF) {
            this.pendingFF = false;
            if (chunk[i] === 0xd8) {
              this.parts = [FF];
              this.size = 1;
              start = i;
              i++;
              this.state = State.Marker;
              break;
            }
            this.stats.garbageBytes++;
          }
          const ff = chunk.indexOf(0xff, i);
          if (ff === -1) {
            this.stats.garbageBytes += n - i;
            i = n;
          } else if (ff === n - 1) {
            this.stats.garbageBytes += ff - i;
            this.pendingFF = true;
            i = n;
          } else if (chunk[ff + 1] === 0xd8) {
            this.stats.garbageBytes += ff - i;
            start = ff;
            this.size = 0;
            this.parts = [];
            i = ff + 2;
            this.state = State.Marker;
          } else {
            this.stats.garbageBytes += ff + 1 - i;
            i = ff + 1;
          }
          break;
        }
        case State.Marker: {
          const b = chunk[i] as number;
          if (!this.pendingFF) {
            if (b !== 0xff) {
              start = this.drop('corrupt', start, i);
              break; // reread this byte while seeking
            }
            this.pendingFF = true;
            i++;
            break;
          }
          i++;
          if (b === 0xff) break; // fill byte
          this.pendingFF = false;
          if (b === 0x01 || isRst(b)) break; // standalone markers
          if (b === 0xd8) {
            start = this.restartAt(start, i - 1);
            break;
          }
          if (b === 0xd9 || b === 0x00) {
            start = this.drop('corrupt', start, i); // EOI before any scan, or no marker at all
            break;
          }
          this.afterSegment = b === 0xda ? State.Entropy : State.Marker;
          this.state = State.Length1;
          break;
        }
        case State.Length1:
          this.length = (chunk[i++] as number) << 8;
          this.state = State.Length2;
          break;
        case State.Length2: {
          this.length |= chunk[i++] as number;
          if (this.length < 2) {
            start = this.drop('corrupt', start, i);
            break;
          }
          this.remaining = this.length - 2;
          this.state = this.remaining > 0 ? State.Skip : this.afterSegment;
          break;
        }
        case State.Skip: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = this.afterSegment;
          break;
        }
        case State.Entropy: {
          if (!this.pendingFF) {
            const ff = chunk.indexOf(0xff, i);
            if (ff === -1) {
              i = n;
              break;
            }
            i = ff + 1;
            this.pendingFF = true;
            break;
          }
          const b = chunk[i++] as number;
          if (b === 0xff) break; // fill before a marker
          this.pendingFF = false;
          if (b === 0x00 || isRst(b)) break; // stuffed byte or restart marker: still scan data
          if (b === 0xd9) {
            this.emit(chunk, start, i);
            start = -1;
            break;
          }
          if (b === 0xd8) {
            start = this.restartAt(start, i - 1);
            break;
          }
          // Another segment between scans (progressive JPEG: DHT, SOS, ...).
          this.afterSegment = b === 0xda ? State.Entropy : State.Marker;
          this.state = State.Length1;
          break;
        }
      }
      if (start !== -1 && this.size + (i - start) > this.maxFrameBytes) start = this.drop('oversize', start, i);
    }
    if (start !== -1) {
      this.parts.push(chunk.subarray(start));
      this.size += n - start;
    }
  }

  private emit(chunk: Buffer, start: number, end: number): void {
    if (this.size + (end - start) > this.maxFrameBytes) {
      this.drop('oversize', start, end);
      return;
    }
    const tail = chunk.subarray(start, end);
    const jpeg = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail], this.size + tail.length);
    this.parts = [];
    this.size = 0;
    this.state = State.Seek;
    this.stats.frames++;
    this.onFrame(jpeg);
  }

  /** Discards the frame in progress; returns the new frame start (none). */
  private drop(reason: SplitterDrop, start: number, at: number): number {
    const bytes = this.size + (at - Math.max(start, 0));
    this.stats[reason]++;
    this.parts = [];
    this.size = 0;
    this.pendingFF = false;
    this.state = State.Seek;
    this.onDrop(reason, bytes);
    return -1;
  }

  /**
   * An SOI inside a frame: the frame in progress was cut short (FFmpeg died
   * mid-write, or the camera sent a partial JPEG). Drop it and start the new
   * one at the FF of this SOI, which may have ended the previous chunk.
   */
  private restartAt(start: number, soiIndex: number): number {
    this.drop('corrupt', start, soiIndex);
    this.state = State.Marker;
    if (soiIndex === 0) {
      this.parts = [FF];
      this.size = 1;
      return 0;
    }
    return soiIndex - 1;
  }
}
