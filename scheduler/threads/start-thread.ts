/*
 * startThread: starts a pool thread without the parent's loader and main-program flags
 * (../local/exec-argv.ts). By default a worker thread inherits the parent's `process.execArgv`;
 * for a user running `tsx app.ts` that includes tsx's hooks, which every thread would load and run
 * for nothing: measured on B5 (2 cores), the same group-by ran ~1.3x slower with them. With
 * `--input-type=module` inherited a thread could not start at all. Every other option is kept;
 * with nothing to drop the thread inherits.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { dropNodeFlags, LOADER_FLAGS, MAIN_PROGRAM_FLAGS } from '../local/exec-argv.js';

/** `parent` without loader and main-program flags, or undefined when it has none (inherit unchanged). */
export function threadExecArgv(parent: readonly string[]): string[] | undefined {
  return dropNodeFlags(parent, [...LOADER_FLAGS, ...MAIN_PROGRAM_FLAGS]);
}

/** The options threads start with, once decided (argv undefined: inherit). */
let chosen: { argv: string[] | undefined } | undefined;

/**
 * A new Worker for `entry` with the parent's options minus loader and main-program flags. Node
 * refuses an explicit execArgv holding V8 or process-wide options (`--max-old-space-size`,
 * `--expose-gc`), which a thread shares with its process anyway; then the thread starts with none
 * (the refusal happens before anything in `options.transferList` moves). Decided once per process.
 */
export function startThread(entry: URL, options: WorkerOptions): Worker {
  chosen ??= { argv: threadExecArgv(process.execArgv) };
  try {
    return chosen.argv === undefined
      ? new Worker(entry, options)
      : new Worker(entry, { ...options, execArgv: chosen.argv });
  } catch (error) {
    if (chosen.argv === undefined || (error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV')
      throw error;
    chosen = { argv: [] };
    return new Worker(entry, { ...options, execArgv: [] });
  }
}
