import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTestIngest } from '../../ingest/test/helpers.js';
import type { IngestServer } from '../../ingest/server.js';
import { descendants, ffmpegChildren, killChild, processAlive, waitFor } from './helpers.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('../dev-launcher.ts', import.meta.url));

/** Capture as its own process (`main.ts` under tsx), as `npm run capture` starts it. */
interface CaptureProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly logs: string[];
  readonly stderr: string[];
  /** Resolves with the first JSON log line whose msg is `msg`. */
  line(msg: string, ms?: number): Promise<Record<string, unknown>>;
}

function spawnCapture(env: Record<string, string>): CaptureProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CAPTURE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  child.stdout.on('data', (c: Buffer) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    logs.push(...parts);
  });
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  const find = (msg: string): Record<string, unknown> | undefined =>
    logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);
  return {
    child,
    logs,
    stderr,
    line: async (msg, ms = 20_000) => {
      await waitFor(() => find(msg) !== undefined || child.exitCode !== null, ms);
      const found = find(msg);
      if (!found) throw new Error(`capture exited without "${msg}": ${logs.join('\n')}${stderr.join('')}`);
      return found;
    },
  };
}

describe('capture as a process', () => {
  it('runs the test pattern, says which FFmpeg it uses, and on SIGTERM exits 0 leaving no FFmpeg', async () => {
    let ingest: IngestServer | undefined;
    let cap: CaptureProcess | undefined;
    try {
      ingest = await startTestIngest();
      cap = spawnCapture({ INGEST_URL: ingest.url });
      const ffmpeg = await cap.line('ffmpeg');
      expect(ffmpeg).toMatchObject({ source: 'PATH', path: expect.stringMatching(/ffmpeg$/) });
      expect(ffmpeg.version).toMatch(/^\d+\.\d+/);
      const i = ingest;
      await waitFor(() => (i.hub.info('default')?.frames ?? 0) >= 5, 15_000);
      expect(i.hub.info('default')).toMatchObject({ width: 1280, height: 720 });
      const [pid] = ffmpegChildren(cap.child.pid);
      expect(pid).toBeDefined();
      const exited = once(cap.child, 'exit');
      cap.child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
      expect(processAlive(pid as number)).toBe(false);
      expect(cap.logs.some((l) => l.includes('"ffmpeg stopped"'))).toBe(true);
    } finally {
      await killChild(cap?.child);
      await ingest?.close();
    }
  });

  it('takes its FFmpeg along when killed with SIGKILL (parent-death signal)', async () => {
    let cap: CaptureProcess | undefined;
    let ffmpegPid: number | undefined;
    try {
      cap = spawnCapture({ INGEST_URL: 'http://127.0.0.1:9' });
      await cap.line('camera live');
      ffmpegPid = ffmpegChildren(cap.child.pid)[0];
      expect(ffmpegPid).toBeDefined();
      await killChild(cap.child);
      await waitFor(() => !processAlive(ffmpegPid as number), 3000);
    } finally {
      await killChild(cap?.child);
      if (ffmpegPid !== undefined && processAlive(ffmpegPid)) process.kill(ffmpegPid, 'SIGKILL');
    }
  });

  it("with no FFmpeg on PATH uses the npm package's binary, and stops on SIGINT", async () => {
    let ingest: IngestServer | undefined;
    let cap: CaptureProcess | undefined;
    try {
      ingest = await startTestIngest();
      cap = spawnCapture({ INGEST_URL: ingest.url, PATH: '/nonexistent', CAMERA_URL: 'testsrc:?size=320x240' });
      const ffmpeg = await cap.line('ffmpeg');
      expect(ffmpeg).toMatchObject({ source: 'npm', path: expect.stringContaining('@ffmpeg-installer') });
      const i = ingest;
      await waitFor(() => (i.hub.info('default')?.frames ?? 0) >= 5, 15_000);
      const exited = once(cap.child, 'exit');
      cap.child.kill('SIGINT');
      expect(await exited).toEqual([0, null]);
    } finally {
      await killChild(cap?.child);
      await ingest?.close();
    }
  });

  it('exits 2 on a config error, naming the key and the camera, without the password', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-process-test-'));
    let cap: CaptureProcess | undefined;
    try {
      const file = path.join(dir, 'cams.yaml');
      fs.writeFileSync(file, '- id: door\n  url: rtsp://admin:Secr3t-Pw-99@cam/x\n  fps: 500\n');
      cap = spawnCapture({ CAMERAS_FILE: file });
      const [code] = await once(cap.child, 'exit');
      expect(code).toBe(2);
      const text = cap.stderr.join('');
      expect(text).toContain('cameras[0].fps');
      expect(text).toContain('camera "door"');
      expect(text + cap.logs.join('')).not.toContain('Secr3t-Pw-99');
    } finally {
      await killChild(cap?.child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm start (the dev launcher): ingest + capture with the test pattern, the player URL, nothing left after Ctrl-C', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', LAUNCHER], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', CAPTURE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    let tree: Array<{ pid: number; comm: string }> = [];
    try {
      await waitFor(() => /Player: (http:\/\/127\.0\.0\.1:\d+)\/\?stream=default/.test(out), 20_000);
      const player = /Player: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
      await waitFor(async () => {
        const res = await fetch(`${player}/streams/default`);
        return res.ok && ((await res.json()) as { frames: number }).frames > 0;
      }, 15_000);
      tree = descendants(child.pid as number);
      expect(tree.filter((p) => p.comm === 'ffmpeg')).toHaveLength(1);
      expect(tree.filter((p) => p.comm === 'node').length).toBeGreaterThanOrEqual(2);
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      expect(await exited).toEqual([0, null]);
      expect(tree.filter((p) => processAlive(p.pid))).toEqual([]);
    } finally {
      await killChild(child);
      for (const p of tree) if (processAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
    }
  });
});
