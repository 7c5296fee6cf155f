/*
 * Entry file of a pool thread (loaded from dist/, since Node 20 threads cannot load .ts): the one
 * worker body (local/worker-body.ts) over the thread's parent port, replies posted with their
 * buffers transferred. Being loaded is marked in the shared progress array, which the pool reads
 * even after the thread died. The comlink control port answers introspection calls.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import type { BatchMessage } from '../local/batch-protocol.js';
import { runWorkerBody } from '../local/worker-body.js';
import { PROGRESS } from '../local/worker-runtime.js';
import type { WorkerControl, WorkerData } from './worker-control.js';

const data = workerData as WorkerData;
const port = parentPort;
if (port === null) throw new Error('worker-entry.js must run in a worker thread');

const runtime = runWorkerBody(
  {
    rules: 'clone',
    onBatch: (handler) => port.on('message', (msg: BatchMessage) => handler(msg)),
    send: (out) => port.postMessage(out.reply, out.transfer),
    ready: () => Atomics.store(data.progress, PROGRESS.loaded, 1),
  },
  data.progress,
);

const control: WorkerControl = {
  info: () => ({ threadId, functions: runtime.functionCount, heapUsed: process.memoryUsage().heapUsed }),
};
expose(control, data.control);
