/**
 * Builds the player into web/dist: one ES module bundle (with the shared
 * protocol and msgpack), the page and its stylesheet. `npm run build:web`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** Where the built player goes; ingest serves it at `/` by default. */
export const WEB_DIST = here('./dist');

/** Bundles the player; resolves when web/dist is complete. */
export async function buildWeb(options: { minify?: boolean } = {}): Promise<void> {
  mkdirSync(WEB_DIST, { recursive: true });
  await build({
    entryPoints: [here('./src/main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    minify: options.minify ?? true,
    outfile: `${WEB_DIST}/player.js`,
    logLevel: 'warning',
  });
  copyFileSync(here('./index.html'), `${WEB_DIST}/index.html`);
  copyFileSync(here('./player.css'), `${WEB_DIST}/player.css`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildWeb();
