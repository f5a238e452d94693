import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./test/shutdown-fixture.ts', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startFixture(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('"ready"')) {
    if (child.exitCode !== null) throw new Error('fixture exited early');
    await sleep(20);
  }
  return { child, output: () => out };
}

describe('handleShutdownSignals', () => {
  it('stops gracefully (exit 0) and treats an immediate repeat as the same Ctrl-C', async () => {
    const { child, output } = await startFixture({ STOP_MS: '300' });
    try {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await sleep(50);
      child.kill('SIGINT'); // tsx relaying the terminal's Ctrl-C: must not cut the graceful stop
      const [code] = (await exited) as [number];
      expect(code).toBe(0);
      expect(output()).not.toContain('second signal');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 1 at once on a real second signal', async () => {
    const { child, output } = await startFixture({ STOP_MS: '60000' });
    try {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await sleep(1300);
      child.kill('SIGTERM');
      const [code] = (await exited) as [number];
      expect(code).toBe(1);
      expect(output()).toContain('second signal, exiting now');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 1 when the stop outlives the bound', async () => {
    const { child } = await startFixture({ STOP_MS: '60000', BOUND_MS: '300' });
    try {
      const exited = once(child, 'exit');
      const t0 = Date.now();
      child.kill('SIGTERM');
      const [code] = (await exited) as [number];
      expect(code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
