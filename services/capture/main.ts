import { ConfigError, configOrExit } from '../common/config-source.js';
import { handleShutdownSignals } from '../common/shutdown.js';
import { loadCaptureConfig } from './config.js';
import { redactUrl } from './redact.js';
import { captureLogger, startCapture, type CaptureServer } from './server.js';
import { killAllChildrenNow } from './supervisor.js';

/** Longest a graceful stop may take: every FFmpeg gets KILL_GRACE_MS, plus time to close sockets. */
const STOP_MARGIN_MS = 3000;

const config = configOrExit('capture', loadCaptureConfig);

const log = captureLogger(config);
let server: CaptureServer | undefined;
// The bound holds even if something keeps the event loop busy; the 'exit' hook still SIGKILLs FFmpeg.
const signals = handleShutdownSignals({
  log,
  stop: () => server?.close() ?? Promise.resolve(),
  boundMs: config.killGraceMs + STOP_MARGIN_MS,
  onForce: killAllChildrenNow,
});

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
if (signals.stopping) {
  await server.close();
  process.exit(0);
}
log.info('capture listening', {
  url: server.url,
  cameras: server.cameras().map((c) => ({ id: c.id, url: c.url })),
  ingest: redactUrl(config.ingestUrl),
  metrics: `${server.url}/metrics`,
});
