import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../common/config-source.js';
import { createLogger } from '../common/logger.js';
import { handleShutdownSignals } from '../common/shutdown.js';
import { loadIngestConfig, type IngestConfig } from './config.js';
import { startIngest } from './server.js';

let config: IngestConfig;
try {
  config = loadIngestConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`ingest: configuration error: ${err.message}\n`);
  process.exit(2);
}

const log = createLogger({ level: config.logLevel, base: { service: 'ingest' } });
const server = await startIngest(config, { log });
log.info('ingest listening', { url: server.url, player: `${server.url}/`, metrics: `${server.url}/metrics` });
if (!existsSync(join(config.webRoot, 'index.html'))) {
  log.warn('no player page in WEB_ROOT: run `npm run build:web` (npm start does)', { webRoot: config.webRoot });
}
if (config.ingestToken === undefined) {
  log.warn('INGEST_TOKEN is not set: anyone who can reach this port can publish frames');
}

handleShutdownSignals({ log, stop: () => server.close(), boundMs: config.shutdownTimeoutMs + 2000 });
