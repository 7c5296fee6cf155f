/*
 * What a user passes to a Client: where to connect (a cluster object or an address and token),
 * how (ConnectOptions), and per-submit options (SubmitOptions, given as the last argument of
 * submit or map, so that every other argument can go to the function untouched).
 */

import { checkOptions, optionNames } from '../../src/core/options.js';
import { ValueError } from '../../src/core/errors.js';

type SubmitOptionFields = SubmitOptions['options'];

const SUBMIT_OPTION_NAMES = optionNames<SubmitOptionFields>({
  key: true,
  pure: true,
  retries: true,
  priority: true,
  timeout: true,
});

/** Dask's submit options this client does not implement yet: refused by name, never ignored. */
const NOT_YET = ['workers', 'resources', 'allowOtherWorkers', 'fifoTimeout', 'actor', 'actors', 'batchSize'];

/** Options for one submit, passed as its last argument: client.submit(fn, x, submitOptions({ retries: 2 })). */
export class SubmitOptions {
  constructor(
    readonly options: {
      /** The task's key; default: fn name + a hash of fn and args (or a random token when pure is false). */
      readonly key?: string;
      /** Same function and args → same key → computed once. Default true, as in Dask. */
      readonly pure?: boolean;
      readonly retries?: number;
      /** Higher runs sooner. */
      readonly priority?: number;
      /** Milliseconds the task may run; then its thread is stopped and it fails with TaskTimeoutError (or is retried). */
      readonly timeout?: number;
    },
  ) {}
}

/**
 * Options for submit/map, checked here so that a misspelt name or a wrong value fails where it is
 * written: submitOptions({ retries: 2 }).
 */
export function submitOptions(options: SubmitOptionFields): SubmitOptions {
  const unsupported = typeof options === 'object' && options !== null ? NOT_YET.find((n) => n in options) : undefined;
  if (unsupported !== undefined)
    throw new ValueError(
      `submitOptions: "${unsupported}" is not supported yet; tasks run on any worker. Drop the option (supported: ${SUBMIT_OPTION_NAMES.join(', ')})`,
    );
  checkOptions(options, SUBMIT_OPTION_NAMES, 'submitOptions()');
  const { key, pure, retries, priority, timeout } = options;
  if (key !== undefined && (typeof key !== 'string' || key === ''))
    throw new ValueError(`submitOptions: key must be a non-empty string, got ${String(key)}`);
  if (pure !== undefined && typeof pure !== 'boolean')
    throw new ValueError(`submitOptions: pure must be true or false, got ${String(pure)}`);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0))
    throw new ValueError(`submitOptions: retries must be a whole number >= 0, got ${String(retries)}`);
  if (priority !== undefined && !Number.isFinite(priority))
    throw new ValueError(`submitOptions: priority must be a finite number, got ${String(priority)}`);
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0))
    throw new ValueError(`submitOptions: timeout must be a number of milliseconds > 0, got ${String(timeout)}`);
  return new SubmitOptions(options);
}

/** Something that names a scheduler: a LocalCluster, or {schedulerAddress, token}. */
export interface ClusterLike {
  readonly schedulerAddress: string;
  readonly token: string;
  readonly dashboardLink?: string | undefined;
}

export const CONNECT_OPTION_NAMES = optionNames<ConnectOptions>({ token: true, timeoutMs: true, setAsDefault: true });

export interface ConnectOptions {
  /** Required with an address; a cluster object carries its own. */
  readonly token?: string;
  readonly timeoutMs?: number;
  /** Become the default scheduler of compute(). Default true. */
  readonly setAsDefault?: boolean;
}
