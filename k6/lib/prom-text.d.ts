// Generated from the JSDoc of prom-text.js by k6/tools/declarations.ts: do not edit.
/** Reads one sample out of Prometheus text exposition (`/metrics`). No k6 import. */
/**
 * The value of the first sample of `name` whose labels include `labels`, or undefined.
 * @param {string} text Prometheus text format
 * @param {string} name metric sample name, e.g. `process_resident_memory_bytes`
 * @param {Record<string, string>} [labels]
 * @returns {number | undefined}
 */
export function sampleValue(text: string, name: string, labels?: Record<string, string>): number | undefined;
/**
 * The server's resident memory in bytes (`process_resident_memory_bytes`, from prom-client's process metrics).
 * @param {string} text
 * @returns {number | undefined}
 */
export function residentBytes(text: string): number | undefined;
