import { buildWeb } from './web/build.js';

// Ingest serves the built player at `/`; route and browser tests need it.
export default async function setup(): Promise<void> {
  await buildWeb({ minify: false });
}
