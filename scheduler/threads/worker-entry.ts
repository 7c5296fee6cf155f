/*
 * Entry file of a pool thread (loaded from dist/, since Node 20 threads cannot load .ts). Batches
 * arrive on the parent port and run in a WorkerRuntime; replies go back with their buffers
 * transferred. The comlink control port answers introspection and warm-up calls.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import type { BatchMessage } from '../local/batch-protocol.js';
import { WorkerRuntime, type Outgoing } from '../local/worker-runtime.js';
import type { WorkerControl, WorkerData } from './worker-control.js';

const data = workerData as WorkerData;
const runtime = new WorkerRuntime(data.progress);
const port = parentPort;
if (port === null) throw new Error('worker-entry.js must run in a worker thread');

const send = (out: Outgoing): void => port.postMessage(out.reply, out.transfer);

port.on('message', (msg: BatchMessage) => {
  const out = runtime.run(msg);
  if (out instanceof Promise) void out.then(send);
  else send(out);
});

const control: WorkerControl = {
  info: () => ({ threadId, functions: runtime.functionCount, heapUsed: process.memoryUsage().heapUsed }),
};
expose(control, data.control);
// Loaded: from now on a death is a task's or a runtime's, not a failure to start (thread-pool.ts).
Atomics.store(data.progress, 2, 1);
