import type { Registry } from 'prom-client';
import type { Logger } from '../../common/logger.js';
import type { IngestConfig } from '../config.js';
import type { IngestMetrics } from '../metrics.js';
import type { PublishHandler } from '../publish.js';
import type { Snapshotter } from '../snapshot.js';
import type { StreamHub } from '../stream-hub.js';
import type { ViewerStats } from '../ws-fanout.js';

/** What the HTTP app is built from; `createApp` takes it whole, routes take what they need. */
export interface AppDeps {
  readonly config: IngestConfig;
  readonly hub: Pick<StreamHub, 'publish' | 'info' | 'list' | 'latest'>;
  readonly viewers: ViewerStats;
  readonly metrics: IngestMetrics;
  readonly registry: Registry;
  readonly log: Logger;
  readonly snapshots: Snapshotter;
  /** True once shutdown began: readiness fails and publishers get 503. */
  readonly isShuttingDown: () => boolean;
  /** The publish routes' work (one instance: its rate limits hold across the Hono route and the fast path). */
  readonly publish: PublishHandler;
}
