import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configOrExit } from '../common/config-source.js';
import { createLogger } from '../common/logger.js';
import { handleShutdownSignals } from '../common/shutdown.js';
import { loadIngestConfig } from './config.js';
import { startIngest } from './server.js';

const config = configOrExit('ingest', loadIngestConfig);

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
