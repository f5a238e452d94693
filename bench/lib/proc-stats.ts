import { readFileSync } from 'node:fs';

/** CPU seconds (user, system) and resident memory of a process, from /proc. */
export interface ProcSample {
  readonly at: number;
  readonly userSec: number;
  readonly sysSec: number;
  readonly rssBytes: number;
}

// USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
const TICKS = 100;

/** Reads one sample of `pid`. */
export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return {
    at: performance.now(),
    userSec: Number(fields[11]) / TICKS,
    sysSec: Number(fields[12]) / TICKS,
    rssBytes: rssKb * 1024,
  };
}

/** CPU use between two samples, as a fraction of one core (1.0 = one core busy). */
export function cpuBetween(a: ProcSample, b: ProcSample): { user: number; sys: number; total: number } {
  const wall = (b.at - a.at) / 1000;
  const user = (b.userSec - a.userSec) / wall;
  const sys = (b.sysSec - a.sysSec) / wall;
  return { user, sys, total: user + sys };
}
