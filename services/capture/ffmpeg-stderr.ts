import type { RestartReason } from './errors.js';

/**
 * Failure lines FFmpeg prints, as seen with FFmpeg 4.1 and 5.1 against
 * GStreamer's RTSP server and HTTP cameras, e.g.
 * `[rtsp @ 0x..] method DESCRIBE failed: 401 Unauthorized`,
 * `rtsp://...: Server returned 404 Not Found`, `...: Connection refused`.
 * Ordered by precedence: the first rule that matches a line wins.
 */
const RULES: ReadonlyArray<{ reason: RestartReason; pattern: RegExp }> = [
  { reason: 'auth_failed', pattern: /\b(401 Unauthorized|403 Forbidden|authorization failed)/i },
  { reason: 'not_found', pattern: /\b404 Not Found\b|No such file or directory/i },
  {
    reason: 'unreachable',
    pattern:
      /Connection refused|No route to host|Network is unreachable|Host is unreachable|Name or service not known|Temporary failure in name resolution|Cannot assign requested address|Connection reset by peer/i,
  },
  { reason: 'timeout', pattern: /timed out|Operation timed out/i },
  { reason: 'invalid_data', pattern: /Invalid data found when processing input/i },
];

/** Precedence of reasons within one run: an auth failure explains a later "Invalid data" better than the reverse. */
const RANK: Partial<Record<RestartReason, number>> = {
  auth_failed: 5,
  not_found: 4,
  unreachable: 3,
  timeout: 2,
  invalid_data: 1,
};

/** The failure a line of FFmpeg's stderr reports, if any. */
export function classifyStderrLine(line: string): RestartReason | undefined {
  for (const rule of RULES) if (rule.pattern.test(line)) return rule.reason;
  return undefined;
}

/** The codec of the first video stream in an `Input #0` section line, e.g. `Stream #0:0: Video: mjpeg (Baseline), ...`. */
export function inputVideoCodec(line: string): string | undefined {
  return /^\s*Stream #0:\d+.*?: Video: ([A-Za-z0-9_]+)/.exec(line)?.[1];
}

/**
 * Reads one FFmpeg run's stderr: splits it into lines, remembers the last few
 * (redacted), the strongest failure reported and the input's video codec.
 */
export class StderrReader {
  /** Strongest failure reported in this run. */
  failure: RestartReason | undefined;
  /** Codec name of the input video stream, once FFmpeg has printed it. */
  inputCodec: string | undefined;
  private readonly tail: string[] = [];
  private partial = '';
  private inOutput = false;

  constructor(
    private readonly redact: (text: string) => string,
    private readonly keepLines = 12,
    private readonly maxLineLength = 2000,
  ) {}

  /** Feeds a chunk; returns the complete lines it finished, redacted. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = (parts.pop() ?? '').slice(-this.maxLineLength);
    const lines: string[] = [];
    for (const raw of parts) {
      if (raw.trim() === '') continue;
      const line = this.redact(raw.slice(0, this.maxLineLength));
      this.read(raw);
      lines.push(line);
      this.tail.push(line);
      if (this.tail.length > this.keepLines) this.tail.shift();
    }
    return lines;
  }

  /** The last lines seen (redacted), oldest first. */
  lastLines(): string[] {
    return [...this.tail];
  }

  private read(line: string): void {
    if (/^Output #\d+/.test(line) || /^Stream mapping:/.test(line)) this.inOutput = true;
    if (!this.inOutput && this.inputCodec === undefined) this.inputCodec = inputVideoCodec(line);
    const reason = classifyStderrLine(line);
    if (reason && (RANK[reason] ?? 0) > (this.failure ? (RANK[this.failure] ?? 0) : -1)) this.failure = reason;
  }
}
