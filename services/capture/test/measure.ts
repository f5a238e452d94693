/**
 * Measures capture for the closing note: time to first frame, steady fps, CPU
 * per camera (720p30 H.264 over RTSP, transcoded; 720p30 MJPEG over HTTP,
 * passed through and, for comparison, transcoded), and time to recover after
 * the RTSP server returns. Ingest and capture run as their own processes (as
 * `npm start` runs them); CPU is read from /proc for capture's Node process and
 * its FFmpeg child. Not a test: run it with
 *
 *   node --import tsx services/capture/test/measure.ts [seconds per window, default 15]
 */
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ffmpegChildren, freePort, killChild, sleep, startMjpegServer, startRtspServer, waitFor } from './helpers.js';

const WINDOW_S = Number(process.argv[2] ?? 15);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Proc {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly lines: Array<Record<string, unknown>>;
}

function startService(main: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, main)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let partial = '';
  child.stdout.on('data', (c: Buffer) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
  return { child, lines };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function streamFrames(ingestUrl: string, id: string): Promise<number> {
  const res = await fetch(`${ingestUrl}/streams/${id}`);
  if (!res.ok) return 0;
  return ((await res.json()) as { frames: number }).frames;
}

interface Result {
  readonly name: string;
  readonly firstFrameMs: number;
  readonly spawnToFrameMs: number;
  readonly fps: number;
  readonly ffmpegCpu: number;
  readonly nodeCpu: number;
  readonly passthrough: boolean;
}

/** Runs capture with one camera against a running ingest and measures it. */
async function measureCamera(name: string, ingestUrl: string, camera: Record<string, unknown>): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-measure-'));
  const file = path.join(dir, 'cams.json');
  fs.writeFileSync(file, JSON.stringify([camera]));
  const id = camera.id as string;
  const t0 = Date.now();
  const capture = startService('services/capture/main.ts', {
    CAMERAS_FILE: file,
    INGEST_URL: ingestUrl,
    CAPTURE_PORT: '0',
  });
  try {
    const start = await streamFrames(ingestUrl, id);
    await waitFor(async () => (await streamFrames(ingestUrl, id)) > start, 20_000, 10);
    const firstFrameMs = Date.now() - t0;
    const live = capture.lines.find((l) => l.msg === 'camera live');
    await sleep(3000); // settle (and let pass-through detection restart FFmpeg if it does)
    const pid = ffmpegChildren(capture.child.pid)[0];
    if (pid === undefined) throw new Error(`${name}: no ffmpeg`);
    const f0 = await streamFrames(ingestUrl, id);
    const c0 = [cpuSeconds(pid), cpuSeconds(capture.child.pid as number)];
    const w0 = performance.now();
    await sleep(WINDOW_S * 1000);
    const wall = (performance.now() - w0) / 1000;
    const c1 = [cpuSeconds(pid), cpuSeconds(capture.child.pid as number)];
    const f1 = await streamFrames(ingestUrl, id);
    const api = capture.lines.find((l) => l.msg === 'capture listening')?.url as string;
    const { cameras } = (await (await fetch(`${api}/cameras`)).json()) as { cameras: Array<{ passthrough: boolean }> };
    return {
      name,
      firstFrameMs,
      spawnToFrameMs: Number(live?.firstFrameMs ?? NaN),
      fps: Math.round(((f1 - f0) / wall) * 10) / 10,
      ffmpegCpu: Math.round((((c1[0] as number) - (c0[0] as number)) / wall) * 1000) / 10,
      nodeCpu: Math.round((((c1[1] as number) - (c0[1] as number)) / wall) * 1000) / 10,
      passthrough: cameras[0]?.passthrough === true,
    };
  } finally {
    await killChild(capture.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Pre-encoded 720p JPEGs of a moving test pattern, like an MJPEG camera's. */
function mjpegFrames(): Buffer[] {
  const out = execFileSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30',
      '-frames:v',
      '60',
    ].concat(['-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1']),
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const frames: Buffer[] = [];
  let at = 0;
  for (;;) {
    const next = out.indexOf(Buffer.from([0xff, 0xd8, 0xff]), at + 3);
    frames.push(out.subarray(at, next === -1 ? out.length : next));
    if (next === -1) break;
    at = next;
  }
  return frames;
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  process.stdout.write(`machine: ${os.cpus().length} cores (nproc), ${cpu}; window ${WINDOW_S} s\n`);
  const ingestPort = await freePort();
  const ingest = startService('services/ingest/main.ts', { PORT: String(ingestPort), HOST: '127.0.0.1' });
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  const results: Result[] = [];
  try {
    await waitFor(() => ingest.lines.some((l) => l.msg === 'ingest listening'), 20_000);

    const rtsp = await startRtspServer({ width: 1280, height: 720, fps: 30 });
    try {
      results.push(
        await measureCamera('RTSP H.264 720p30 -> JPEG 720p30 (transcode)', ingestUrl, {
          id: 'rtsp720',
          url: rtsp.url(),
          fps: 30,
        }),
      );
      results.push(
        await measureCamera('RTSP H.264 720p30 -> JPEG 640w 10 fps (transcode, resize)', ingestUrl, {
          id: 'rtsp720small',
          url: rtsp.url(),
          fps: 10,
          maxWidth: 640,
        }),
      );
    } finally {
      await rtsp.kill();
    }

    const frames = mjpegFrames();
    const avg = Math.round(frames.reduce((n, f) => n + f.length, 0) / frames.length / 1024);
    process.stdout.write(`mjpeg camera: ${frames.length} distinct 1280x720 JPEGs, ~${avg} KiB each, 30 fps\n`);
    const cam = await startMjpegServer(frames, 30);
    try {
      results.push(
        await measureCamera('HTTP MJPEG 720p30 -> 30 fps (pass-through)', ingestUrl, {
          id: 'mjpeg720',
          url: cam.url,
          fps: 30,
        }),
      );
      results.push(
        await measureCamera('HTTP MJPEG 720p30 -> 30 fps (re-encode, passthrough: never)', ingestUrl, {
          id: 'mjpeg720enc',
          url: cam.url,
          fps: 30,
          passthrough: 'never',
        }),
      );
    } finally {
      await cam.close();
    }

    process.stdout.write(
      '\n| camera | pass-through | first frame at ingest (ms from process start) | FFmpeg spawn -> first JPEG (ms) | steady fps | FFmpeg CPU % of a core | capture Node CPU % |\n',
    );
    process.stdout.write('|---|---|---|---|---|---|---|\n');
    for (const r of results) {
      process.stdout.write(
        `| ${r.name} | ${r.passthrough} | ${r.firstFrameMs} | ${r.spawnToFrameMs} | ${r.fps} | ${r.ffmpegCpu} | ${r.nodeCpu} |\n`,
      );
    }

    // Recovery: the RTSP server goes away for 3 s and comes back on the same port.
    const recovery: number[] = [];
    let server = await startRtspServer({ width: 1280, height: 720, fps: 30 });
    const port = server.port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-measure-'));
    const file = path.join(dir, 'cams.json');
    fs.writeFileSync(file, JSON.stringify([{ id: 'recover', url: server.url(), fps: 10 }]));
    const capture = startService('services/capture/main.ts', {
      CAMERAS_FILE: file,
      INGEST_URL: ingestUrl,
      CAPTURE_PORT: '0',
    });
    try {
      await waitFor(async () => (await streamFrames(ingestUrl, 'recover')) > 0, 20_000);
      for (let i = 0; i < 3; i++) {
        await server.kill();
        await sleep(3000);
        server = await startRtspServer({ port, width: 1280, height: 720, fps: 30 });
        const back = Date.now();
        const before = await streamFrames(ingestUrl, 'recover');
        await waitFor(async () => (await streamFrames(ingestUrl, 'recover')) > before, 20_000, 10);
        recovery.push(Date.now() - back);
        await sleep(1000);
      }
    } finally {
      await killChild(capture.child);
      await server.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    process.stdout.write(`\nrecovery after the RTSP server returns (3 s outage), ms: ${recovery.join(', ')}\n`);
  } finally {
    await killChild(ingest.child);
  }
}

await main();
