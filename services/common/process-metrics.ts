import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Samples of the event loop's delay are taken this often. prom-client's
 * default, 10 ms, wakes an idle process 100 times a second: a measured 1 % of
 * a core doing nothing else. 100 ms still gives the lag histogram ten samples
 * a second.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** Node's process metrics (CPU, memory, GC, event loop lag, handles) on `registry`. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}
