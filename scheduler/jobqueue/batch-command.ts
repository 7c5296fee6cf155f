/*
 * Runs a batch system's command (qsub, qdel, sbatch, scancel) without a shell, and turns every
 * failure into a DaskError that names the command, its arguments and what it printed: a command
 * missing from PATH says so and why that usually happens (not on a login node, module not
 * loaded); a non-zero exit carries its stderr. Output is capped, and a hung command is killed
 * after `timeoutMs`.
 */
import { execFile } from 'node:child_process';
import { DaskError } from '../../src/core/errors.js';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

const MAX_OUTPUT = 1 << 20;

/** Runs `command args`; resolves with its output, rejects with a DaskError when it fails. */
export function runBatchCommand(command: string, args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { timeout: timeoutMs, maxBuffer: MAX_OUTPUT, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const shown = [command, ...args].join(' ');
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(
            new DaskError(
              'DASK_ERR_CONFIG',
              `${command} is not on PATH: run this on a machine that can submit jobs (a login node), or load the batch system's module`,
            ),
          );
          return;
        }
        const detail = (stderr.trim() || stdout.trim() || error.message).slice(0, 2000);
        reject(
          new DaskError(
            'DASK_ERR_CONFIG',
            `\`${shown}\` failed (${error.killed ? `killed after ${timeoutMs} ms` : `exit ${String(code)}`}): ${detail}`,
          ),
        );
      },
    );
  });
}
