/**
 * Type declarations of k6/lib/*.js, generated from their JSDoc: the Node tests
 * (TypeScript) import the lib files and need them. A test fails when the
 * committed ones are stale; to refresh them:
 *
 *   npx tsx k6/tools/declarations.ts --write
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';

const K6 = fileURLToPath(new URL('..', import.meta.url));
const LIB = join(K6, 'lib');

/** Every lib file: `msgpack.js`, ... */
export function libFiles(): string[] {
  return readdirSync(LIB)
    .filter((f) => f.endsWith('.js'))
    .sort();
}

/** Generates the declarations; returns `name.d.ts` -> text formatted as the repo's Prettier config says. */
export async function generateDeclarations(): Promise<Map<string, string>> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(K6, 'tsconfig.decl.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read k6/tsconfig.decl.json');
  const host = ts.createCompilerHost(parsed.options);
  // The committed declarations must not stand in for the sources they are made from.
  const isCommitted = (f: string): boolean => f.startsWith(LIB) && f.endsWith('.d.ts');
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => !isCommitted(f) && fileExists(f);
  const emitted = new Map<string, string>();
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, { ...host, getNewLine: () => '\n' }));
  }
  program.emit(undefined, (file, text) => emitted.set(basename(file), text), undefined, true);
  const result = new Map<string, string>();
  for (const js of libFiles()) {
    const name = js.replace(/\.js$/, '.d.ts');
    const text = emitted.get(name);
    if (text === undefined) throw new Error(`no declarations emitted for ${js}: list it in k6/tsconfig.decl.json`);
    const target = join(LIB, name);
    const header = `// Generated from the JSDoc of ${js} by k6/tools/declarations.ts: do not edit.\n`;
    const options = (await prettier.resolveConfig(target)) ?? {};
    result.set(name, await prettier.format(header + text, { ...options, filepath: target }));
  }
  return result;
}

/** Names of committed declarations that differ from freshly generated ones. */
export async function staleDeclarations(): Promise<string[]> {
  const stale: string[] = [];
  for (const [name, text] of await generateDeclarations()) {
    const file = join(LIB, name);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current !== text) stale.push(name);
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    for (const [name, text] of await generateDeclarations()) writeFileSync(join(LIB, name), text);
    process.stdout.write('k6/lib declarations written\n');
  } else {
    const stale = await staleDeclarations();
    process.stdout.write(stale.length ? `stale: ${stale.join(', ')}\n` : 'k6/lib declarations up to date\n');
    process.exitCode = stale.length ? 1 : 0;
  }
}
