/*
 * Global defaults, as Dask's dask.config: `config.set({...})` changes them and returns a function
 * that restores the previous values (use it in `try/finally` where Python would use `with`).
 * Values are checked when set, so a typo fails where it was made, not at the next compute().
 */
import { DaskError } from './errors.js';

export interface DaskConfig {
  /** Default scheduler name ('sync', 'threads', 'processes', ...); a connected Client wins over it. */
  scheduler: string | undefined;
  /** Threads or processes used by local schedulers; defaults to os.availableParallelism(). */
  numWorkers: number | undefined;
  /**
   * Check the distributed scheduler's and workers' invariants after every transition (slow; for
   * tests and debugging). Defaults to true when the environment has DASK_TS_VALIDATE=1, which
   * also reaches worker processes.
   */
  validate: boolean;
}

const defaults: DaskConfig = {
  scheduler: undefined,
  numWorkers: undefined,
  validate: process.env.DASK_TS_VALIDATE === '1',
};
let current: DaskConfig = { ...defaults };

function check(update: Partial<DaskConfig>): void {
  for (const name of Object.keys(update)) {
    if (!(name in defaults)) {
      throw new DaskError(
        'DASK_ERR_CONFIG',
        `unknown config option "${name}"; known options: ${Object.keys(defaults).join(', ')}`,
      );
    }
  }
  const n = update.numWorkers;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new DaskError('DASK_ERR_CONFIG', `config numWorkers must be a positive integer, got ${String(n)}`);
  }
  if (update.validate !== undefined && typeof update.validate !== 'boolean') {
    throw new DaskError('DASK_ERR_CONFIG', `config validate must be true or false, got ${String(update.validate)}`);
  }
  const s = update.scheduler;
  if (s !== undefined && (typeof s !== 'string' || s.length === 0)) {
    throw new DaskError(
      'DASK_ERR_CONFIG',
      `config scheduler must be a scheduler name such as 'sync' or 'threads', got ${String(s)}`,
    );
  }
}

export const config = {
  get<K extends keyof DaskConfig>(name: K): DaskConfig[K] {
    return current[name];
  },
  /** Sets some options; returns a function that puts back the values they had before. */
  set(update: Partial<DaskConfig>): () => void {
    check(update);
    const previous = current;
    current = { ...current, ...update };
    return () => {
      current = previous;
    };
  },
  /** Back to the built-in defaults. */
  reset(): void {
    current = { ...defaults };
  },
};
