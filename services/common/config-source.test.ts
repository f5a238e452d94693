import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigSource, readInt, readList, type ConfigSource } from './config-source.js';

const KEYS = ['PORT', 'HOST', 'ORIGINS'] as const;
const FILE_KEY = 'APP_CONFIG_FILE';

/** Runs `fn` and returns the ConfigError it throws (fails the test if it throws anything else or nothing). */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('loadConfigSource', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-source-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeFile = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('without a file returns the known env keys only', () => {
    const src = loadConfigSource({ PORT: '8080', PATH: '/usr/bin', HOST: undefined }, FILE_KEY, KEYS);
    expect(src).toEqual({ PORT: '8080' });
  });

  it('merges the file under the env: env wins', () => {
    const file = writeFile('c.json', JSON.stringify({ PORT: 1000, HOST: 'file-host' }));
    const src = loadConfigSource({ [FILE_KEY]: file, PORT: '2000' }, FILE_KEY, KEYS);
    expect(src).toEqual({ PORT: '2000', HOST: 'file-host' });
  });

  it('keeps JSON types from the file', () => {
    const file = writeFile('c.json', JSON.stringify({ PORT: 1000, ORIGINS: ['https://a.example'] }));
    const src = loadConfigSource({ [FILE_KEY]: file }, FILE_KEY, KEYS);
    expect(src).toEqual({ PORT: 1000, ORIGINS: ['https://a.example'] });
  });

  it('ignores empty env values: the file (or default) stands', () => {
    const file = writeFile('c.json', JSON.stringify({ HOST: 'file-host' }));
    const src = loadConfigSource({ [FILE_KEY]: file, HOST: '', PORT: '' }, FILE_KEY, KEYS);
    expect(src).toEqual({ HOST: 'file-host' });
  });

  it('ignores an empty file key', () => {
    expect(loadConfigSource({ [FILE_KEY]: '', PORT: '1' }, FILE_KEY, KEYS)).toEqual({ PORT: '1' });
  });

  it('rejects an unknown key in the file, naming that key', () => {
    const file = writeFile('c.json', JSON.stringify({ PORT: 1, PROT: 2 }));
    const err = configErrorOf(() => loadConfigSource({ [FILE_KEY]: file }, FILE_KEY, KEYS));
    expect(err.key).toBe('PROT');
    expect(err.message).toContain('PROT');
    expect(err.message).toContain(file);
  });

  it.each([
    { name: 'a missing file', make: () => path.join(dir, 'nope.json'), message: /cannot read/ },
    { name: 'a directory', make: () => dir, message: /cannot read/ },
    { name: 'invalid JSON', make: () => writeFile('bad.json', '{"PORT": 1,'), message: /not valid JSON/ },
    { name: 'a JSON array', make: () => writeFile('arr.json', '[1, 2]'), message: /JSON object/ },
    { name: 'JSON null', make: () => writeFile('null.json', 'null'), message: /JSON object/ },
    { name: 'a JSON string', make: () => writeFile('s.json', '"PORT"'), message: /JSON object/ },
  ])('rejects $name, naming the file key', ({ make, message }) => {
    const file = make();
    const err = configErrorOf(() => loadConfigSource({ [FILE_KEY]: file }, FILE_KEY, KEYS));
    expect(err.key).toBe(FILE_KEY);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(file);
    expect(err.message.startsWith(`${FILE_KEY}: `)).toBe(true);
  });
});

describe('readInt', () => {
  it.each<{ name: string; src: ConfigSource; expected: number }>([
    { name: 'unset -> fallback', src: {}, expected: 42 },
    { name: 'a numeric string', src: { N: '8080' }, expected: 8080 },
    { name: 'a numeric string with spaces', src: { N: ' 17 ' }, expected: 17 },
    { name: 'a negative string within range', src: { N: '-5' }, expected: -5 },
    { name: 'a number from a JSON file', src: { N: 9000 }, expected: 9000 },
    { name: 'the minimum', src: { N: '-10' }, expected: -10 },
    { name: 'the maximum', src: { N: 65535 }, expected: 65535 },
  ])('accepts $name', ({ src, expected }) => {
    expect(readInt(src, 'N', 42, -10, 65535)).toBe(expected);
  });

  it.each<{ name: string; src: ConfigSource; message: RegExp }>([
    { name: 'below the minimum', src: { N: '-11' }, message: /between -10 and 65535/ },
    { name: 'above the maximum', src: { N: '65536' }, message: /between -10 and 65535/ },
    { name: 'a JSON number above the maximum', src: { N: 70000 }, message: /between/ },
    { name: 'letters', src: { N: 'abc' }, message: /must be an integer/ },
    { name: 'a decimal string', src: { N: '1.5' }, message: /must be an integer/ },
    { name: 'an exponent string', src: { N: '1e3' }, message: /must be an integer/ },
    { name: 'a hex string', src: { N: '0x10' }, message: /must be an integer/ },
    { name: 'trailing garbage', src: { N: '80a' }, message: /must be an integer/ },
    { name: 'a blank string', src: { N: '   ' }, message: /must be an integer/ },
    { name: 'a JSON float', src: { N: 1.5 }, message: /must be an integer/ },
    { name: 'a JSON boolean', src: { N: true }, message: /must be an integer/ },
    { name: 'an unsafe integer string', src: { N: '9007199254740993' }, message: /must be an integer/ },
  ])('rejects $name, naming the key', ({ src, message }) => {
    const err = configErrorOf(() => readInt(src, 'N', 42, -10, 65535));
    expect(err.key).toBe('N');
    expect(err.message).toMatch(message);
  });
});

describe('readList', () => {
  it.each<{ name: string; src: ConfigSource; expected: string[] }>([
    { name: 'unset', src: {}, expected: [] },
    { name: 'one item', src: { L: 'https://a.example' }, expected: ['https://a.example'] },
    { name: 'a comma-separated list, trimmed', src: { L: ' a , b,c ' }, expected: ['a', 'b', 'c'] },
    { name: 'empty items dropped', src: { L: 'a,,b, ,' }, expected: ['a', 'b'] },
    { name: 'an empty string', src: { L: '' }, expected: [] },
    { name: 'a JSON array of strings', src: { L: ['x', 'y'] }, expected: ['x', 'y'] },
    { name: 'an empty JSON array', src: { L: [] }, expected: [] },
  ])('reads $name', ({ src, expected }) => {
    expect(readList(src, 'L')).toEqual(expected);
  });

  it.each<{ name: string; src: ConfigSource }>([
    { name: 'a number', src: { L: 5 } },
    { name: 'an array with a number', src: { L: ['a', 1] } },
    { name: 'an object', src: { L: { a: 'b' } } },
  ])('rejects $name, naming the key', ({ src }) => {
    expect(configErrorOf(() => readList(src, 'L')).key).toBe('L');
  });
});
