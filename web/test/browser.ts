import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; downloaded browsers do not work on our machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium with the flags this environment needs: no
 * sandbox (root in CI), no GPU, and no background networking (the network is
 * closed; without these Chromium keeps trying to reach Google's hosts).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}
