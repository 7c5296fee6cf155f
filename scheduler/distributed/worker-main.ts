/*
 * Entry file of a worker process started by a nanny (loaded from dist/). Its WorkerOptions arrive
 * as the first IPC message (ipc-options.ts); once registered with the scheduler the process sends
 * {type: 'ready', address, name, pid} on its IPC channel. It stops when the worker ends (exit code
 * WORKER_EXIT_CODES: 0 after a close, 70 when a task killed a thread, 75 when the scheduler shut
 * down, 76 when the connection to it was lost), on SIGTERM/SIGINT (a clean close), and when its
 * parent disappears (the IPC channel disconnects), so no worker outlives its cluster.
 */
import { optionsFromParent } from './ipc-options.js';
import { DistributedWorker, WORKER_EXIT_CODES, type WorkerOptions } from './worker.js';

async function main(): Promise<void> {
  // Signals are watched from the start: one arriving while the worker starts is acted on once it has.
  let stopping = false;
  let worker: DistributedWorker | undefined;
  const stop = (): void => {
    stopping = true;
    void worker?.close();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  const options = await optionsFromParent<WorkerOptions>();
  try {
    worker = await DistributedWorker.start(options);
  } catch (e) {
    process.stderr.write(`dask-ts worker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  if (stopping) void worker.close();
  else process.send?.({ type: 'ready', address: worker.address, name: worker.name, pid: process.pid });
  const reason = await worker.closed;
  process.exit(WORKER_EXIT_CODES[reason]);
}

void main();
