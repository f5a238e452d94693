/**
 * k6 cannot be installed here, so the scripts are type-checked against
 * @types/k6 (k6/tsconfig.json), and the check is shown to catch mistakes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { libFiles, staleDeclarations } from '../tools/declarations.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));
const K6 = fileURLToPath(new URL('../', import.meta.url));

function tsc(project: string): { status: number | null; output: string } {
  const r = spawnSync(TSC, ['-p', project], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** k6/tsconfig.json without its comments. */
function k6Config(): { compilerOptions: Record<string, unknown>; files: string[] } {
  const text = readFileSync(`${K6}tsconfig.json`, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text) as { compilerOptions: Record<string, unknown>; files: string[] };
}

describe('k6 scripts type-check against @types/k6', () => {
  it('tsc -p k6/tsconfig.json passes', () => {
    const r = tsc('k6/tsconfig.json');
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('checks every script and lib file, with k6 types only', () => {
    const config = k6Config();
    expect(config.files).toEqual(['ingest.js', 'viewers.js', 'soak.js', ...libFiles().map((f) => `lib/${f}`)]);
    expect(config.compilerOptions).toMatchObject({ allowJs: true, checkJs: true, noEmit: true, types: ['k6'] });
  });

  it('catches a wrong k6 call and a Node global, which k6 does not have', () => {
    const canary = `${K6}typecheck-canary.js`;
    const project = `${K6}tsconfig.canary.json`;
    try {
      writeFileSync(
        canary,
        [
          '// @ts-check',
          "import http from 'k6/http';",
          "export const a = http.asyncRequest('POST');",
          "export const b = Buffer.from('x');",
          "export const c = http.postt('http://x');",
          '',
        ].join('\n'),
      );
      writeFileSync(project, JSON.stringify({ extends: './tsconfig.json', files: ['typecheck-canary.js'] }));
      const r = tsc('k6/tsconfig.canary.json');
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/typecheck-canary\.js\(3,\d+\): error TS2554/);
      expect(r.output).toMatch(/typecheck-canary\.js\(4,\d+\): error TS25\d\d: Cannot find name 'Buffer'/);
      expect(r.output).toMatch(/typecheck-canary\.js\(5,\d+\): error TS2551: Property 'postt' does not exist/);
    } finally {
      rmSync(canary, { force: true });
      rmSync(project, { force: true });
    }
  });

  it("keeps k6-only imports out of lib/ (it runs in Node's tests too)", () => {
    for (const f of libFiles()) {
      const text = readFileSync(`${K6}lib/${f}`, 'utf8');
      expect(text, f).not.toMatch(/^import .* from 'k6/m);
      expect(text, f).toMatch(/^\/\/ @ts-check$/m);
    }
  });

  it('has current declarations for lib/ (npx tsx k6/tools/declarations.ts --write)', async () => {
    expect(await staleDeclarations()).toEqual([]);
  });
});
