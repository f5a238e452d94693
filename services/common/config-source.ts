import { readFileSync } from 'node:fs';

/** A configuration problem, naming the key (and the camera or item where there is one). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

/** Raw configuration values by key, as strings (env) or JSON values (file). */
export type ConfigSource = Readonly<Record<string, unknown>>;

/**
 * Merges an optional JSON config file (named by `fileKey` in `env`) under the
 * environment: env wins. The file's keys are the env keys; unknown keys are
 * rejected so a typo does not silently fall back to a default.
 */
export function loadConfigSource(
  env: Readonly<Record<string, string | undefined>>,
  fileKey: string,
  knownKeys: readonly string[],
): ConfigSource {
  const path = env[fileKey];
  let file: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(fileKey, `cannot read ${path}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(fileKey, `${path} is not valid JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(fileKey, `${path} must hold a JSON object`);
    }
    file = parsed as Record<string, unknown>;
    for (const key of Object.keys(file)) {
      if (!knownKeys.includes(key)) throw new ConfigError(key, `unknown key in ${path}`);
    }
  }
  const merged: Record<string, unknown> = { ...file };
  for (const key of knownKeys) {
    const v = env[key];
    if (v !== undefined && v !== '') merged[key] = v;
  }
  return merged;
}

/** Reads an integer key within [min, max]; accepts numbers and numeric strings. */
export function readInt(src: ConfigSource, key: string, fallback: number, min: number, max: number): number {
  const raw = src[key];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new ConfigError(key, `must be an integer, got ${JSON.stringify(raw)}`);
  if (n < min || n > max) throw new ConfigError(key, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Reads a string key; `undefined` when unset and no fallback. */
export function readString(src: ConfigSource, key: string): string | undefined;
export function readString(src: ConfigSource, key: string, fallback: string): string;
export function readString(src: ConfigSource, key: string, fallback?: string): string | undefined {
  const raw = src[key];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string') throw new ConfigError(key, `must be a string, got ${JSON.stringify(raw)}`);
  return raw;
}

/** Reads one of a fixed set of strings. */
export function readEnum<T extends string>(src: ConfigSource, key: string, fallback: T, allowed: readonly T[]): T {
  const raw = readString(src, key, fallback);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/** Reads a comma-separated list (or a JSON array in a file). */
export function readList(src: ConfigSource, key: string): string[] {
  const raw = src[key];
  if (raw === undefined) return [];
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw as string[];
  if (typeof raw !== 'string') throw new ConfigError(key, 'must be a comma-separated list');
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Runs a service's config loader; on a ConfigError prints
 * `<service>: configuration error: <key>: <message>` to stderr and exits 2.
 */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${service}: configuration error: ${err.message}\n`);
    process.exit(2);
  }
}
