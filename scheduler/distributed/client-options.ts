/*
 * What a user passes to a Client: where to connect (a cluster object or an address and token),
 * how (ConnectOptions), and per-submit options (SubmitOptions, given as the last argument of
 * submit or map, so that every other argument can go to the function untouched).
 */

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
export const submitOptions = (options: SubmitOptions['options']): SubmitOptions => new SubmitOptions(options);

/** Something that names a scheduler: a LocalCluster, or {schedulerAddress, token}. */
export interface ClusterLike {
  readonly schedulerAddress: string;
  readonly token: string;
  readonly dashboardLink?: string | undefined;
}

export interface ConnectOptions {
  /** Required with an address; a cluster object carries its own. */
  readonly token?: string;
  readonly timeoutMs?: number;
  /** Become the default scheduler of compute(). Default true. */
  readonly setAsDefault?: boolean;
}
