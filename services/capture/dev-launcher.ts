/**
 * `npm start`: ingest and capture (the built-in test pattern unless CAMERAS_FILE
 * or CAMERA_URL says otherwise) as two child processes, their logs on this
 * terminal, and the player URL printed once both are up. Ctrl-C (or
 * SIGTERM) stops capture and ingest gracefully and waits for both, so nothing is
 * left behind; a second Ctrl-C kills them at once. The children run in their
 * own process groups (the terminal's Ctrl-C reaches only this launcher, which
 * stops them in order) under `setpriv --pdeathsig TERM`, so they also stop if
 * the launcher itself is killed.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../common/logger.js';
import { locateSetpriv } from './ffmpeg-locate.js';

const INGEST_MAIN = fileURLToPath(new URL('../ingest/main.ts', import.meta.url));
const CAPTURE_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/** How long the services get to stop before they are killed. */
const STOP_TIMEOUT_MS = 10_000;

const log = createLogger({ base: { service: 'launcher' } });
const setpriv = locateSetpriv();

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Starts `node --import tsx <main>`, relays its output, and resolves with the first log line whose msg is `ready`. */
function start(
  name: string,
  main: string,
  env: NodeJS.ProcessEnv,
  ready: string,
): [Child, Promise<Record<string, unknown>>] {
  const node = [process.execPath, '--import', 'tsx', main];
  const [file, ...args] = setpriv ? [setpriv, '--pdeathsig', 'TERM', '--', ...node] : node;
  const child = spawn(file as string, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stderr.pipe(process.stderr);
  let partial = '';
  const readyLine = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(`"msg":"${ready}"`)) continue;
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not one of ours
        }
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}) before "${ready}"`)));
  });
  readyLine.catch(() => undefined);
  return [child, readyLine];
}

const children: Child[] = [];
let stopping = false;

/** Stops both services gracefully and exits; a no-op once stopping. */
async function stop(reason: string, exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info('stopping ingest and capture', { reason });
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exits = running.map((c) => once(c, 'exit'));
  for (const child of running) child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log.warn('services did not stop in time: killing them', { timeoutMs: STOP_TIMEOUT_MS });
    for (const child of running) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  await Promise.all(exits);
  clearTimeout(timer);
  process.exit(exitCode);
}

/**
 * A runner in between (tsx's CLI, npm) relays the terminal's Ctrl-C, which this
 * process also receives directly from its process group: a repeat this soon is
 * the same keypress.
 */
const DUPLICATE_SIGNAL_MS = 1000;
let firstSignalAt = 0;

/** First signal: graceful stop. Another one, later: kill both now. */
function onSignal(signal: NodeJS.Signals): void {
  if (!stopping) {
    firstSignalAt = Date.now();
    void stop(signal, 0);
    return;
  }
  if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
  log.warn('second signal: killing ingest and capture now', { signal });
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  const [ingest, ingestReady] = start('ingest', INGEST_MAIN, process.env, 'ingest listening');
  children.push(ingest);
  ingest.once('exit', (code) => void stop(`ingest exited (${code})`, 1));
  const { url } = (await ingestReady) as { url: string };
  const [capture, captureReady] = start(
    'capture',
    CAPTURE_MAIN,
    { ...process.env, INGEST_URL: process.env.INGEST_URL ?? url },
    'capture listening',
  );
  children.push(capture);
  capture.once('exit', (code) => void stop(`capture exited (${code})`, 1));
  const { cameras } = (await captureReady) as { cameras: Array<{ id: string }> };
  const stream = cameras[0]?.id ?? 'default';
  process.stdout.write(
    `\n  camstream is running. Player: ${url}/?stream=${encodeURIComponent(stream)}\n  Ctrl-C stops it.\n\n`,
  );
} catch (err) {
  log.error('start failed', { err });
  await stop('start failed', 1);
}
