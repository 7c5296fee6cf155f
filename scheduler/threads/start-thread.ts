/*
 * startThread: starts a pool thread with the right Node options. By default a worker thread
 * inherits the parent's `process.execArgv`, which for a user running `tsx app.ts` (or
 * `node --import tsx`, `ts-node`, `-r some-hook`) includes module-loader hooks. A pool thread loads
 * only dask-ts's built JavaScript and functions shipped as source, so the hooks do nothing useful
 * there (Node 20 threads cannot import `.ts` through them anyway), yet each thread loads and runs
 * them. Measured on B5 (2 cores): the same group-by ran ~1.3x slower with tsx inherited.
 *
 * Flags that describe the main program are worse: a thread inheriting `--input-type=module` (from
 * `node --input-type=module -e '...'`) cannot load its entry file at all.
 *
 * So the loader flags (`--import`, `--require`/`-r`, `--loader`, `--experimental-loader`) and the
 * main-program flags (`--input-type`, `--eval`/`-e`, `--print`/`-p`), with a separate or `=`
 * value, are dropped and every other option is kept; with none to drop the thread inherits. Child processes (the processes scheduler) keep the parent's flags: they can
 * import a user's `.ts` module through the hooks.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const DROPPED_FLAGS: ReadonlySet<string> = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--input-type', '--eval', '-e', '--print', '-p']);

/** `parent` without loader and main-program flags, or undefined when it has none (inherit unchanged). */
export function threadExecArgv(parent: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  let dropped = false;
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i]!;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!DROPPED_FLAGS.has(flag)) {
      kept.push(arg);
      continue;
    }
    dropped = true;
    if (eq < 0) i++; // the value is the next argument
  }
  return dropped ? kept : undefined;
}

/** The options threads start with, once decided (argv undefined: inherit). */
let chosen: { argv: string[] | undefined } | undefined;

/**
 * A new Worker for `entry` with the parent's options minus loader and main-program flags. Node refuses an explicit
 * execArgv holding V8 or process-wide options (`--max-old-space-size`, `--expose-gc`), which a
 * thread shares with its process anyway; then the thread starts with none (the refusal happens
 * before anything in `options.transferList` moves). The choice is made once per process.
 */
export function startThread(entry: URL, options: WorkerOptions): Worker {
  chosen ??= { argv: threadExecArgv(process.execArgv) };
  try {
    return chosen.argv === undefined ? new Worker(entry, options) : new Worker(entry, { ...options, execArgv: chosen.argv });
  } catch (error) {
    if (chosen.argv === undefined || (error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    chosen = { argv: [] };
    return new Worker(entry, { ...options, execArgv: [] });
  }
}
