/** Log levels in increasing severity; `silent` turns logging off. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The one logger interface services and their parts receive. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  readonly level?: LogLevel;
  /** Where a finished line goes. Default: stdout. */
  readonly write?: (line: string) => void;
  /** Fields on every line, e.g. `{ service: 'ingest' }`. */
  readonly base?: LogFields;
}

/** True when `v` names a log level. */
export function isLogLevel(v: string): v is LogLevel {
  return Object.hasOwn(RANK, v);
}

function serializeError(err: Error): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(code !== undefined && { code }) };
}

/** A JSON-lines logger: one object per line with `time`, `level`, `msg` and fields. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const make = (base: LogFields): Logger => {
    const log = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
      if (RANK[level] < min) return;
      const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
      for (const source of fields ? [base, fields] : [base]) {
        for (const [k, v] of Object.entries(source)) {
          // The line's own keys are not overwritable by fields.
          if (k === 'time' || k === 'level' || k === 'msg') continue;
          line[k] = v instanceof Error ? serializeError(v) : v;
        }
      }
      let text: string;
      try {
        text = JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      } catch {
        // A circular field must not make logging throw.
        text = JSON.stringify({ time: line.time, level, msg, unserializable: true });
      }
      write(text);
    };
    return {
      debug: (m, f) => log('debug', m, f),
      info: (m, f) => log('info', m, f),
      warn: (m, f) => log('warn', m, f),
      error: (m, f) => log('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}
