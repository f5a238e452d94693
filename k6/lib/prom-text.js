// @ts-check
/** Reads one sample out of Prometheus text exposition (`/metrics`). No k6 import. */

/**
 * The value of the first sample of `name` whose labels include `labels`, or undefined.
 * @param {string} text Prometheus text format
 * @param {string} name metric sample name, e.g. `process_resident_memory_bytes`
 * @param {Record<string, string>} [labels]
 * @returns {number | undefined}
 */
export function sampleValue(text, name, labels = {}) {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    let labelText = '';
    let valueText = rest;
    if (rest[0] === '{') {
      const close = rest.lastIndexOf('}');
      if (close < 0) continue;
      labelText = rest.slice(1, close);
      valueText = rest.slice(close + 1);
    }
    const wanted = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
    if (!wanted) continue;
    const value = Number(valueText.trim().split(/\s+/)[0]);
    if (!Number.isNaN(value)) return value;
  }
  return undefined;
}

/**
 * The server's resident memory in bytes (`process_resident_memory_bytes`, from prom-client's process metrics).
 * @param {string} text
 * @returns {number | undefined}
 */
export function residentBytes(text) {
  return sampleValue(text, 'process_resident_memory_bytes');
}
