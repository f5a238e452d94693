/* global fetch, AbortSignal */
/**
 * Container health check: exits 0 when the service answers GET /healthz with
 * 200 within 2 s, else 1. The image has no curl; node's fetch does the job.
 *
 *   node deploy/healthcheck.mjs [port]
 *
 * Without a port it tries PORT (ingest, default 3000), then CAPTURE_PORT
 * (capture, default 3001): one image runs either service.
 */
const ports = process.argv[2] ? [process.argv[2]] : [process.env.PORT || '3000', process.env.CAPTURE_PORT || '3001'];

for (const port of ports) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    if (res.status === 200) process.exit(0);
  } catch {
    // Nothing on this port, or no answer in time: try the next.
  }
}
process.exit(1);
