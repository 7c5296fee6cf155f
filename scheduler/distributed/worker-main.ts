/*
 * Entry file of a worker process started by a nanny (loaded from dist/). Its WorkerOptions arrive
 * as the first IPC message (child-process.ts); once registered with the scheduler the process sends
 * {type: 'ready', address, name, pid} on its IPC channel. It stops when the worker ends (exit code
 * WORKER_EXIT_CODES: 0 after a close, 70 when a task killed a thread, 75 when the scheduler shut
 * down, 76 when the connection to it was lost), on SIGTERM/SIGINT (a clean close), and when its
 * parent disappears (the IPC channel disconnects), so no worker outlives its cluster.
 */
import { runChild } from './child-process.js';
import { DistributedWorker, WORKER_EXIT_CODES, type WorkerOptions } from './worker.js';

async function start(
  options: WorkerOptions,
): Promise<{ worker: DistributedWorker; close(): Promise<void>; ended: Promise<number> }> {
  const worker = await DistributedWorker.start(options);
  return { worker, close: () => worker.close(), ended: worker.closed.then((reason) => WORKER_EXIT_CODES[reason]) };
}

void runChild('worker', start, ({ worker }) => {
  process.send?.({ type: 'ready', address: worker.address, name: worker.name, pid: process.pid });
});
