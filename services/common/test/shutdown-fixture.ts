// A process that stops gracefully in STOP_MS on SIGTERM/SIGINT, for shutdown.test.ts.
import { createLogger } from '../logger.js';
import { handleShutdownSignals } from '../shutdown.js';

const stopMs = Number(process.env.STOP_MS ?? 300);
handleShutdownSignals({
  log: createLogger({ level: 'info' }),
  stop: () => new Promise((resolve) => setTimeout(resolve, stopMs)),
  boundMs: Number(process.env.BOUND_MS ?? 5000),
});
process.stdout.write('{"msg":"ready"}\n');
setInterval(() => undefined, 1000);
