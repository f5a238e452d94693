import type { Logger } from './logger.js';

/**
 * A repeat of a signal within this is the same Ctrl-C delivered twice: the
 * terminal signals the whole process group, and tsx's CLI relays it as well.
 */
const DUPLICATE_SIGNAL_MS = 1000;

/** Options of `handleShutdownSignals`. */
export interface ShutdownOptions {
  readonly log: Logger;
  /** The graceful stop; the process exits 0 when it resolves, 1 when it rejects. */
  stop(): Promise<void>;
  /** Exit 1 after this many ms whatever the stop is doing (a busy event loop included). */
  readonly boundMs: number;
  /** Runs before a forced exit (a second signal), e.g. to SIGKILL child processes. */
  readonly onForce?: () => void;
}

/**
 * SIGTERM/SIGINT -> graceful stop within a bound; a second signal (not the
 * echo of the first) exits at once. Returns whether a stop has begun, for a
 * service whose startup may still be running when the signal comes.
 */
export function handleShutdownSignals(options: ShutdownOptions): { readonly stopping: boolean } {
  let stopping = false;
  let firstSignalAt = 0;
  const onSignal = (signal: string): void => {
    if (stopping && Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    if (stopping) {
      options.log.warn('second signal, exiting now', { signal });
      options.onForce?.();
      process.exit(1);
    }
    stopping = true;
    firstSignalAt = Date.now();
    options.log.info('shutting down', { signal });
    setTimeout(() => process.exit(1), options.boundMs).unref();
    options.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        options.log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return {
    get stopping() {
      return stopping;
    },
  };
}
