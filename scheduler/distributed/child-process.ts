/*
 * The plumbing of the cluster's child processes (a nanny under LocalCluster, a worker under its
 * nanny). Options travel as the first IPC message {type: 'options', options}, never in argv: they
 * hold the cluster's token, and every user of the machine can read any process's argv (ps,
 * /proc/PID/cmdline). runChild is each entry file's whole life: signals are watched from the first
 * moment (a SIGTERM arriving before a handler exists would kill the process outright and orphan
 * its own child), then the options are awaited, the service started, and the process exits with
 * the service's exit code.
 */

/** Sends `options` to a forked child. */
export function sendOptions(child: { send(message: unknown): boolean }, options: unknown): void {
  child.send({ type: 'options', options });
}

/** The first {type: 'options'} message on this process's IPC channel. */
export function optionsFromParent<T>(): Promise<T> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('this entry file must be started with an IPC channel (child_process.fork)'));
      return;
    }
    const on = (m: { type?: string; options?: T }): void => {
      if (m.type !== 'options' || m.options === undefined) return;
      process.off('message', on);
      resolve(m.options);
    };
    process.on('message', on);
  });
}

/** What a child process runs: something that can be closed and says how the process should exit. */
export interface ChildService {
  close(): unknown;
  readonly ended: Promise<number>;
}

/**
 * Runs this process as a child: waits for its options, starts the service (a failure prints
 * "dask-ts <who>: ..." and exits 1), calls `started` unless a stop came in meanwhile, and exits
 * with the service's code. SIGTERM, SIGINT and the parent going away (IPC disconnect) close it.
 */
export async function runChild<O, S extends ChildService>(
  who: string,
  start: (options: O) => Promise<S>,
  started: (service: S) => void,
): Promise<void> {
  let stopping = false;
  let service: S | undefined;
  const stop = (): void => {
    stopping = true;
    if (service !== undefined) void service.close();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  const options = await optionsFromParent<O>();
  try {
    service = await start(options);
  } catch (e) {
    process.stderr.write(`dask-ts ${who}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  if (stopping) void service.close();
  else started(service);
  process.exit(await service.ended);
}
