import type { ChildProcess } from 'node:child_process';

/**
 * Makes sure no FFmpeg outlives capture. Three layers:
 * - each child is spawned under util-linux `setpriv --pdeathsig KILL`, so the
 *   kernel kills it if capture dies without cleaning up (SIGKILL, OOM killer);
 * - every live child is known here and SIGKILLed in the process's `exit` event
 *   (a crash, or `process.exit()` during shutdown);
 * - the normal path: the supervisor stops each child (SIGTERM, then SIGKILL).
 * Children are only ever signalled by their own handles, never by name.
 */

/** A program and its argv, spawned without a shell. */
export interface SpawnCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/**
 * Wraps a command in `setpriv --pdeathsig KILL --` when setpriv is available.
 * setpriv execs the program, so the child's pid is the program's.
 */
export function withParentDeathSignal(command: SpawnCommand, setpriv: string | undefined): SpawnCommand {
  if (setpriv === undefined) return command;
  return { file: setpriv, args: ['--pdeathsig', 'KILL', '--', command.file, ...command.args] };
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Records a child as alive until `release()`; installs the exit hook on first use. */
export function guard(child: ChildProcess): void {
  liveChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers run synchronously: the last chance to take the children along.
    process.once('exit', killAllChildrenNow);
  }
}

/** Forgets an exited child; false if it was not (or no longer) guarded. */
export function release(child: ChildProcess): boolean {
  return liveChildren.delete(child);
}

/** True while the child is guarded (it has not exited). */
export function isGuarded(child: ChildProcess): boolean {
  return liveChildren.has(child);
}

/** SIGKILLs every guarded child at once, by its handle. For the last moments of the process. */
export function killAllChildrenNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}
