/*
 * Starting the package's own worker programs: every pool thread, pool child process, nanny and
 * LocalCluster worker runs an entry file from the built dist/ (Node 20 threads cannot load .ts).
 * builtEntry finds that file and, when it is missing, refuses with the one fix (`npm run build`)
 * instead of letting a thread or process die at start; forkEntry starts a child process on it with
 * stdin closed, stdout shared, stderr shared or piped (to quote it when the child fails to start)
 * and an IPC channel.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DaskError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/serialize/fn-ref.js';

/** The path of `dist/<relative>`; throws DASK_ERR_CONFIG naming `who` when it has not been built. */
export function builtEntry(relative: string, who: string): string {
  const file = join(packageRoot(), 'dist', relative);
  if (!existsSync(file))
    throw new DaskError('DASK_ERR_CONFIG', `${who} needs the built ${file}; run \`npm run build\` first`);
  return file;
}

export interface ForkEntryOptions {
  readonly execArgv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** 'pipe' to read the child's stderr (the caller forwards it), 'inherit' to share this process's. */
  readonly stderr: 'inherit' | 'pipe';
  /** 'advanced' carries binary frames on the IPC channel; 'json' plain messages. */
  readonly serialization: 'json' | 'advanced';
}

/** A child process running `entry`. */
export function forkEntry(entry: string, options: ForkEntryOptions): ChildProcess {
  return fork(entry, [], {
    execArgv: [...options.execArgv],
    serialization: options.serialization,
    stdio: ['ignore', 'inherit', options.stderr, 'ipc'],
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
}
