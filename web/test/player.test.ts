import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postFrame,
  seedBody,
  solidJpeg,
  startTestIngest,
  type ConfigOverrides,
} from '../../services/ingest/test/helpers.js';
import type { IngestServer } from '../../services/ingest/server.js';
import { WEB_DIST } from '../build.js';
import { launchChromium } from './browser.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
type Rgb = [number, number, number];

/** Posts solid-colour frames at `fps` until stopped; the colour can be changed while it runs. */
function startPublisher(baseUrl: () => string, streamId: string, fps: number, size: [number, number]) {
  const cache = new Map<string, Buffer>();
  let colour: Rgb = [255, 0, 0];
  let running = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async (): Promise<void> => {
    if (!running) return;
    const key = colour.join(',');
    let jpeg = cache.get(key);
    if (!jpeg) cache.set(key, (jpeg = await solidJpeg(size[0], size[1], colour)));
    await postFrame(baseUrl(), streamId, seedBody(jpeg, size[0], size[1])).catch(() => undefined);
    if (running) timer = setTimeout(() => void loop(), 1000 / fps);
  };
  void loop();
  return {
    setColour: (c: Rgb) => (colour = c),
    stop: () => {
      running = false;
      clearTimeout(timer);
    },
  };
}

function startIngestForPlayer(overrides: ConfigOverrides = {}): Promise<IngestServer> {
  return startTestIngest({ WEB_ROOT: WEB_DIST, STATS_INTERVAL_MS: 500, ...overrides });
}

const text = (page: Page, id: string): Promise<string> => page.locator(`#${id}`).innerText();

async function centrePixel(page: Page): Promise<Rgb> {
  return page.evaluate(() => {
    const c = document.getElementById('canvas') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(c.width >> 1, c.height >> 1, 1, 1).data;
    return [d[0], d[1], d[2]] as [number, number, number];
  });
}

const near = (a: Rgb, b: Rgb): boolean => a.every((v, i) => Math.abs(v - (b[i] as number)) <= 16);

async function waitForState(page: Page, state: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction((s) => document.getElementById('status-text')?.textContent === s, state, { timeout });
}

describe('player in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws the frames it is sent (pixels), shows live stats, and saves a screenshot', async () => {
    const server = await startIngestForPlayer();
    const pub = startPublisher(() => server.url, 'cam', 20, [320, 240]);
    const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
    try {
      await page.goto(`${server.url}/?stream=cam`);
      await waitForState(page, 'live');
      await page.waitForFunction(() => (document.getElementById('canvas') as HTMLCanvasElement).width === 320);
      await expect.poll(() => centrePixel(page), { timeout: 5000 }).toSatisfy((p: Rgb) => near(p, [255, 0, 0]));
      pub.setColour([0, 0, 255]);
      await expect.poll(() => centrePixel(page), { timeout: 5000 }).toSatisfy((p: Rgb) => near(p, [0, 0, 255]));
      pub.setColour([0, 200, 0]);
      await expect.poll(() => centrePixel(page), { timeout: 5000 }).toSatisfy((p: Rgb) => near(p, [0, 200, 0]));
      await page.waitForTimeout(2500);
      const fps = Number(await text(page, 'stat-fps'));
      expect(fps).toBeGreaterThan(12);
      expect(fps).toBeLessThan(28);
      expect(await text(page, 'stat-resolution')).toBe('320x240');
      expect(Number(await text(page, 'stat-frames'))).toBeGreaterThan(20);
      expect(await text(page, 'stat-latency')).toMatch(/^\d+ ms$/);
      expect(await page.locator('#stream-select').inputValue()).toBe('cam');
      // Acknowledged flow: the server's metrics count this viewer's frames as sent.
      expect(server.fanout.viewerCount('cam')).toBe(1);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/player.png` });
    } finally {
      pub.stop();
      await page.close();
      await server.close();
    }
  });

  it('shows reconnecting when ingest stops and returns to live without a reload', async () => {
    let server = await startIngestForPlayer();
    const port = server.port;
    const pub = startPublisher(() => server.url, 'cam', 15, [160, 120]);
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/?stream=cam`);
      await waitForState(page, 'live');
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await server.close();
      await waitForState(page, 'reconnecting');
      expect(await page.locator('#badge').innerText()).toBe('RECONNECTING');
      server = await startIngestForPlayer({ PORT: port });
      await waitForState(page, 'live', 15_000);
      await expect.poll(() => centrePixel(page), { timeout: 5000 }).toSatisfy((p: Rgb) => near(p, [255, 0, 0]));
      expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
      expect(await page.locator('#badge').isHidden()).toBe(true);
    } finally {
      pub.stop();
      await page.close();
      await server.close();
    }
  });

  it('shows the stalled badge while frames stop, keeps the last frame, and recovers', async () => {
    const server = await startIngestForPlayer({ STALL_AFTER_MS: 400, OFFLINE_AFTER_MS: 60_000 });
    let pub = startPublisher(() => server.url, 'cam', 15, [160, 120]);
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/?stream=cam`);
      await waitForState(page, 'live');
      await expect.poll(() => centrePixel(page), { timeout: 5000 }).toSatisfy((p: Rgb) => near(p, [255, 0, 0]));
      pub.stop();
      await waitForState(page, 'stalled');
      expect(await page.locator('#badge').innerText()).toBe('STALLED');
      expect(near(await centrePixel(page), [255, 0, 0])).toBe(true); // frozen, not cleared
      pub = startPublisher(() => server.url, 'cam', 15, [160, 120]);
      await waitForState(page, 'live');
      expect(await page.locator('#badge').isHidden()).toBe(true);
    } finally {
      pub.stop();
      await page.close();
      await server.close();
    }
  });

  it('downloads the frame on screen as the snapshot, and frees its socket on close', async () => {
    const server = await startIngestForPlayer();
    const pub = startPublisher(() => server.url, 'cam', 15, [320, 240]);
    const page = await browser.newPage({ acceptDownloads: true });
    try {
      await page.goto(`${server.url}/?stream=cam`);
      await waitForState(page, 'live');
      await page.waitForFunction(() => (document.getElementById('canvas') as HTMLCanvasElement).width === 320);
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('s')]);
      expect(download.suggestedFilename()).toMatch(/^cam-\d+\.jpg$/);
      const bytes = readFileSync(await download.path());
      expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height]).toEqual([320, 240]);
      expect(server.fanout.viewerCount('cam')).toBe(1);
      const state = await page.evaluate(() => {
        const ui = (window as unknown as { camstream: { close(): void; player: { state: string } } }).camstream;
        ui.close();
        return ui.player.state;
      });
      expect(state).toBe('closed');
      await expect.poll(() => server.fanout.viewerCount('cam'), { timeout: 5000 }).toBe(0);
    } finally {
      pub.stop();
      await page.close();
      await server.close();
    }
  });

  it('pauses and resumes from the keyboard, with labelled controls', async () => {
    const server = await startIngestForPlayer();
    const pub = startPublisher(() => server.url, 'cam', 15, [160, 120]);
    const page = await browser.newPage({ viewport: { width: 380, height: 700 } }); // phone width
    try {
      await page.goto(`${server.url}/?stream=cam`);
      await waitForState(page, 'live');
      for (const name of ['Pause (space)', 'Download snapshot (s)', 'Fullscreen (f)', 'Reconnect now (r)']) {
        await expect(page.getByRole('button', { name }).isVisible()).resolves.toBe(true);
      }
      await page.keyboard.press(' ');
      expect(await page.locator('#badge').innerText()).toBe('PAUSED');
      const frozen = await page.evaluate(
        () =>
          (window as unknown as { camstream: { player: { stats(): { drawn: number } } } }).camstream.player.stats()
            .drawn,
      );
      await page.waitForTimeout(500);
      const later = await page.evaluate(() =>
        (
          window as unknown as { camstream: { player: { stats(): { drawn: number; frames: number } } } }
        ).camstream.player.stats(),
      );
      expect(later.drawn).toBe(frozen); // nothing drawn while paused
      await page.keyboard.press(' ');
      await expect
        .poll(
          () =>
            page.evaluate(
              () =>
                (
                  window as unknown as { camstream: { player: { stats(): { drawn: number } } } }
                ).camstream.player.stats().drawn,
            ),
          { timeout: 5000 },
        )
        .toBeGreaterThan(frozen);
      expect(await page.locator('#badge').isHidden()).toBe(true);
    } finally {
      pub.stop();
      await page.close();
      await server.close();
    }
  });
});
