/**
 * Writes the load scripts' built-in frames, k6/frames/720p.jpg and 360p.jpg,
 * made the way the benchmark makes its payloads (bench/lib/payload.ts), so
 * k6 runs send JPEGs of the benchmark's size:
 *
 *   npx tsx k6/tools/make-frames.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makePayload } from '../../bench/lib/payload.js';

for (const kind of ['720p', '360p'] as const) {
  const { jpeg } = await makePayload(kind);
  const file = fileURLToPath(new URL(`../frames/${kind}.jpg`, import.meta.url));
  writeFileSync(file, jpeg);
  process.stdout.write(`${file}: ${jpeg.length} bytes\n`);
}
