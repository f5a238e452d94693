import { ConfigError } from '../common/config-source.js';
import { loadCaptureConfig, type CaptureConfig } from './config.js';
import { redactUrl } from './redact.js';
import { captureLogger, startCapture, type CaptureServer } from './server.js';
import { killAllChildrenNow } from './supervisor.js';

/** Longest a graceful stop may take: every FFmpeg gets KILL_GRACE_MS, plus time to close sockets. */
const STOP_MARGIN_MS = 3000;

let config: CaptureConfig;
try {
  config = loadCaptureConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`capture: configuration error: ${err.message}\n`);
  process.exit(2);
}

const log = captureLogger(config);
let server: CaptureServer | undefined;
let stopping = false;
let firstSignalAt = 0;
/** tsx's CLI relays the terminal's Ctrl-C, which this process also gets from its process group: the same keypress. */
const DUPLICATE_SIGNAL_MS = 1000;

const stop = (signal: string): void => {
  if (stopping && Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
  if (stopping) {
    log.warn('second signal, exiting now', { signal });
    killAllChildrenNow();
    process.exit(1);
  }
  stopping = true;
  firstSignalAt = Date.now();
  log.info('shutting down', { signal });
  // The bound holds even if something keeps the event loop busy; the 'exit' hook still SIGKILLs FFmpeg.
  setTimeout(() => process.exit(1), config.killGraceMs + STOP_MARGIN_MS).unref();
  (server?.close() ?? Promise.resolve()).then(
    () => process.exit(0),
    (err: unknown) => {
      log.error('shutdown failed', { err });
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

try {
  server = await startCapture(config, { log });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`capture: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  log.error('capture failed to start', { err });
  process.exit(1);
}
if (stopping) {
  await server.close();
  process.exit(0);
}
log.info('capture listening', {
  url: server.url,
  cameras: server.cameras().map((c) => ({ id: c.id, url: c.url })),
  ingest: redactUrl(config.ingestUrl),
  metrics: `${server.url}/metrics`,
});
