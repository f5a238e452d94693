import type { LogFields, Logger } from '../common/logger.js';

/**
 * Logs a repeated event at most once per `intervalMs` per key, with the count
 * of the ones it held back, so a publisher sending bad frames at 30 fps yields
 * one line every few seconds instead of thirty a second.
 */
export class LogThrottle {
  private readonly seen = new Map<string, { last: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
    private readonly maxKeys = 1024,
    private readonly now: () => number = Date.now,
  ) {}

  info(key: string, msg: string, fields: LogFields): void {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.last < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    if (!entry && this.seen.size >= this.maxKeys) this.seen.clear();
    this.log.info(msg, entry?.suppressed ? { ...fields, suppressed: entry.suppressed } : fields);
    this.seen.set(key, { last: now, suppressed: 0 });
  }
}
