import { describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.js';
import type { RestartReason } from '../errors.js';
import { killAllChildrenNow, Supervisor, type CameraState, type SupervisorOptions } from '../supervisor.js';
import { processAlive, sleep, waitFor } from './helpers.js';

/** Stand-ins for FFmpeg: real processes (node -e) that misbehave the way FFmpeg was seen to. */
const FAKE = {
  /** A frozen camera: FFmpeg alive, silent, and deaf to SIGTERM. */
  silentIgnoresTerm: "process.on('SIGTERM', () => {}); process.stderr.write('ready\\n'); setInterval(() => {}, 1000);",
  /** The RTSP server went away: FFmpeg exits with status 0. */
  exitsZero: 'process.exit(0);',
  /** Wrong credentials. */
  unauthorized:
    "process.stderr.write('[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\\n'); setTimeout(() => process.exit(1), 20);",
  /** A healthy camera: some output every 50 ms; exits on SIGTERM like FFmpeg. */
  healthy: "setInterval(() => process.stdout.write('x'), 50);",
};

function harness(script: string, options: Partial<SupervisorOptions> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const states: CameraState[] = [];
  const restarts: RestartReason[] = [];
  const pids: number[] = [];
  let escalations = 0;
  const supervisor: Supervisor = new Supervisor({
    log: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    command: () => ({ file: process.execPath, args: ['-e', script] }),
    watchdogMs: 60_000,
    killGraceMs: 300,
    backoff: { initialMs: 50, maxMs: 200 },
    slowRetryMs: 60_000,
    redact: (t) => t,
    random: () => 0,
    hooks: {
      onStdout: () => supervisor.frameArrived(),
      onRunStart: (pid) => pids.push(pid as number),
      onState: (s) => states.push(s),
      onRestart: (r) => restarts.push(r),
      onKillEscalated: () => escalations++,
    },
    ...options,
  });
  return { supervisor, lines, states, restarts, pids, escalations: () => escalations };
}

describe('Supervisor with real child processes', () => {
  it('treats an exit with status 0 as a drop and restarts with a growing, capped backoff', async () => {
    const h = harness(FAKE.exitsZero);
    try {
      h.supervisor.start();
      await waitFor(() => h.restarts.length >= 5);
      const delays = h.lines.filter((l) => typeof l.retryInMs === 'number').map((l) => l.retryInMs);
      expect(delays.slice(0, 5)).toEqual([50, 100, 200, 200, 200]);
      expect(h.restarts.slice(0, 5)).toEqual(['exit', 'exit', 'exit', 'exit', 'exit']);
      expect(h.lines.find((l) => l.retryInMs === 50)).toMatchObject({ level: 'warn', code: 0, reason: 'exit' });
      // Repeats of the same failure go to debug: a dead camera does not flood the log.
      expect(h.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(h.states).toContain('backoff');
    } finally {
      await h.supervisor.stop();
    }
    expect(h.supervisor.state).toBe('stopped');
  });

  it('restarts a silent FFmpeg by watchdog; one that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const h = harness(FAKE.silentIgnoresTerm, { watchdogMs: 600 });
    try {
      h.supervisor.start();
      await waitFor(() => h.restarts.length >= 1, 5000);
      expect(h.restarts[0]).toBe('watchdog');
      expect(h.escalations()).toBe(1);
      const ended = h.lines.find((l) => l.reason === 'watchdog' && 'signal' in l);
      expect(ended).toMatchObject({ signal: 'SIGKILL', code: null });
      expect(h.lines.some((l) => l.msg === 'ffmpeg ignored SIGTERM: sending SIGKILL')).toBe(true);
      expect(processAlive(h.pids[0] as number)).toBe(false);
    } finally {
      await h.supervisor.stop();
    }
    for (const pid of h.pids) expect(processAlive(pid)).toBe(false);
  });

  it('goes live on output, stalled at half the watchdog, and back', async () => {
    const pauseFile = `/tmp/capture-supervisor-test-${process.pid}`;
    const script = `const fs = require('fs'); setInterval(() => { if (!fs.existsSync('${pauseFile}')) process.stdout.write('x'); }, 50);`;
    const h = harness(script, { watchdogMs: 2000 });
    const fs = await import('node:fs');
    try {
      h.supervisor.start();
      await waitFor(() => h.supervisor.state === 'live');
      fs.writeFileSync(pauseFile, '');
      await waitFor(() => h.supervisor.state === 'stalled', 3000);
      expect(h.supervisor.reason).toBe('no_frames');
      fs.rmSync(pauseFile);
      await waitFor(() => h.supervisor.state === 'live', 3000);
      expect(h.restarts).toEqual([]);
    } finally {
      fs.rmSync(pauseFile, { force: true });
      await h.supervisor.stop();
    }
  });

  it('restarts at once when the camera turns reachable during a long backoff', async () => {
    let up = false;
    const h = harness(FAKE.exitsZero, {
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      reachable: async () => up,
      probeIntervalMs: 50,
    });
    try {
      h.supervisor.start();
      await waitFor(() => h.supervisor.state === 'backoff');
      await sleep(300); // probes see it down
      expect(h.pids).toHaveLength(1);
      up = true;
      await waitFor(() => h.pids.length === 2, 2000); // not 45-60 s later
      expect(h.lines.some((l) => l.msg === 'camera reachable again: restarting ffmpeg now')).toBe(true);
    } finally {
      await h.supervisor.stop();
    }
  });

  it('keeps the backoff when the camera was reachable all along (FFmpeg fails for another reason)', async () => {
    const h = harness(FAKE.exitsZero, {
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      reachable: async () => true,
      probeIntervalMs: 50,
    });
    try {
      h.supervisor.start();
      await waitFor(() => h.supervisor.state === 'backoff');
      await sleep(500);
      expect(h.pids).toHaveLength(1);
    } finally {
      await h.supervisor.stop();
    }
  });

  it('reports 401 as auth_failed and waits SLOW_RETRY_MS, not the backoff', async () => {
    const h = harness(FAKE.unauthorized);
    try {
      h.supervisor.start();
      await waitFor(() => h.supervisor.state === 'auth_failed');
      expect(h.supervisor.reason).toBe('auth_failed');
      expect((h.supervisor.retryAt as number) - Date.now()).toBeGreaterThan(40_000); // 60 s less at most 25 % jitter
      await sleep(500);
      expect(h.pids).toHaveLength(1);
      expect(h.lines.find((l) => l.level === 'error')?.msg).toMatch(/authentication failed/);
    } finally {
      await h.supervisor.stop();
    }
  });

  it('stop() kills a child deaf to SIGTERM and resolves only once it has exited', async () => {
    const h = harness(FAKE.silentIgnoresTerm);
    h.supervisor.start();
    await waitFor(() => h.lines.some((l) => l.line === 'ready')); // its SIGTERM handler is in place
    const pid = h.supervisor.pid as number;
    await h.supervisor.stop();
    expect(processAlive(pid)).toBe(false);
    expect(h.escalations()).toBe(1);
    expect(h.restarts).toEqual([]);
    expect(h.supervisor.state).toBe('stopped');
  });

  it('stop() of a healthy child takes the SIGTERM path, without escalation', async () => {
    const h = harness(FAKE.healthy);
    h.supervisor.start();
    await waitFor(() => h.supervisor.state === 'live');
    await h.supervisor.stop();
    expect(h.escalations()).toBe(0);
    for (const pid of h.pids) expect(processAlive(pid)).toBe(false);
  });

  it('killAllChildrenNow() (the process exit hook) kills every child by its handle', async () => {
    const a = harness(FAKE.silentIgnoresTerm);
    const b = harness(FAKE.healthy);
    try {
      a.supervisor.start();
      b.supervisor.start();
      await waitFor(() => a.supervisor.running && b.supervisor.running);
      const pids = [a.supervisor.pid as number, b.supervisor.pid as number];
      killAllChildrenNow();
      await waitFor(() => pids.every((pid) => !processAlive(pid)));
    } finally {
      await a.supervisor.stop();
      await b.supervisor.stop();
    }
  });
});
