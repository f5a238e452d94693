type Sharp = (typeof import('sharp'))['default'];

// sharp (libvips) is loaded on the first snapshot, not at startup: it adds about
// 26 MB of RSS and 2 MB of JS heap that a server nobody asks for snapshots
// would carry (and mark on every full GC) for nothing.
let loading: Promise<Sharp> | undefined;
function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then((m) => m.default);
  return loading;
}

/**
 * Resizes JPEG snapshots with sharp, at most `concurrency` at once so a burst
 * of snapshot requests cannot take the CPU from frame fan-out.
 */
export class Snapshotter {
  private active = 0;

  constructor(
    private readonly concurrency: number,
    private readonly quality = 80,
  ) {}

  /** A JPEG `width` pixels wide (never wider than the source), or 'busy' when at the concurrency bound. */
  async resize(jpeg: Uint8Array, width: number): Promise<Buffer | 'busy'> {
    if (this.active >= this.concurrency) return 'busy';
    this.active++;
    try {
      const sharp = await loadSharp();
      return await sharp(jpeg).resize({ width, withoutEnlargement: true }).jpeg({ quality: this.quality }).toBuffer();
    } finally {
      this.active--;
    }
  }
}
