import { describe, expect, it } from 'vitest';
import { createLogger, isLogLevel, type LoggerOptions, type LogLevel } from './logger.js';

/** A logger whose lines are collected and parsed. */
function capture(options: Omit<LoggerOptions, 'write'> = {}) {
  const raw: string[] = [];
  const log = createLogger({ ...options, write: (line) => raw.push(line) });
  return { log, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const ALL = ['debug', 'info', 'warn', 'error'] as const;

describe('createLogger level filtering', () => {
  it.each<{ level: LogLevel | undefined; written: string[] }>([
    { level: 'debug', written: ['debug', 'info', 'warn', 'error'] },
    { level: 'info', written: ['info', 'warn', 'error'] },
    { level: undefined, written: ['info', 'warn', 'error'] },
    { level: 'warn', written: ['warn', 'error'] },
    { level: 'error', written: ['error'] },
    { level: 'silent', written: [] },
  ])('level $level writes $written', ({ level, written }) => {
    const { log, lines } = capture(level === undefined ? {} : { level });
    for (const l of ALL) log[l](`a ${l} line`);
    expect(lines().map((l) => l.level)).toEqual(written);
    expect(lines().map((l) => l.msg)).toEqual(written.map((l) => `a ${l} line`));
  });

  it('children keep the parent level', () => {
    const { log, lines } = capture({ level: 'warn' });
    const child = log.child({ part: 'x' });
    child.info('hidden');
    child.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });
});

describe('createLogger lines', () => {
  it('writes one JSON object per line with time, level, msg and fields', () => {
    const { log, raw, lines } = capture({ base: { service: 'ingest' } });
    log.info('frame accepted', { stream: 'cam1', bytes: 1234, nested: { a: [1, 2] } });
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain('\n');
    const [line] = lines();
    expect(line).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'frame accepted',
      service: 'ingest',
      stream: 'cam1',
      bytes: 1234,
      nested: { a: [1, 2] },
    });
    const time = line?.time as string;
    expect(new Date(time).toISOString()).toBe(time);
    expect(Object.keys(line ?? {}).slice(0, 3)).toEqual(['time', 'level', 'msg']);
  });

  it('child adds fields to every line, and its own child adds more', () => {
    const { log, lines } = capture({ base: { service: 'ingest' } });
    const child = log.child({ stream: 'cam1' });
    const grandchild = child.child({ viewer: 7 });
    child.warn('stalled', { ageMs: 2000 });
    grandchild.error('too slow');
    log.info('parent untouched');
    expect(lines()).toMatchObject([
      { level: 'warn', msg: 'stalled', service: 'ingest', stream: 'cam1', ageMs: 2000 },
      { level: 'error', msg: 'too slow', service: 'ingest', stream: 'cam1', viewer: 7 },
      { level: 'info', msg: 'parent untouched', service: 'ingest' },
    ]);
    expect(lines()[2]).not.toHaveProperty('stream');
  });

  it('call fields win over child fields of the same name', () => {
    const { log, lines } = capture();
    log.child({ stream: 'a' }).info('x', { stream: 'b' });
    expect(lines()[0]?.stream).toBe('b');
  });

  it('serializes Error values with name, message and code', () => {
    const { log, lines } = capture();
    const withCode = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    log.error('upstream failed', { err: withCode, other: new TypeError('bad type') });
    expect(lines()[0]).toMatchObject({
      err: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
      other: { name: 'TypeError', message: 'bad type' },
    });
    expect(lines()[0]?.other).not.toHaveProperty('code');
    expect(lines()[0]?.err).not.toHaveProperty('stack');
  });

  it('serializes a subclass name and a numeric code', () => {
    class ConfigProblem extends Error {
      override readonly name = 'ConfigProblem';
      readonly code = 42;
    }
    const { log, lines } = capture();
    log.warn('config', { err: new ConfigProblem('bad') });
    expect(lines()[0]?.err).toEqual({ name: 'ConfigProblem', message: 'bad', code: 42 });
  });
});

describe('isLogLevel', () => {
  it.each([
    ['debug', true],
    ['info', true],
    ['warn', true],
    ['error', true],
    ['silent', true],
    ['INFO', false],
    ['verbose', false],
    ['', false],
    ['toString', false],
  ])('%j -> %s', (value, expected) => {
    expect(isLogLevel(value as string)).toBe(expected);
  });
});
