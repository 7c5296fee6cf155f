/*
 * Entry file of a nanny process started by LocalCluster (loaded from dist/): WorkerOptions arrive
 * as the first IPC message (child-process.ts, never argv); the nanny (nanny.ts) starts and
 * supervises one worker process. Every time a worker joins the scheduler (first start and
 * restarts) the parent gets {type: 'ready', address, name, pid} on the IPC channel. SIGTERM/SIGINT or the parent going away (IPC disconnect) close
 * the worker and end the nanny; otherwise it ends with the nanny's own exit code.
 */
import { runChild } from './child-process.js';
import { Nanny, type WorkerReady } from './nanny.js';
import type { WorkerOptions } from './worker.js';

const announce = (w: WorkerReady): void => void process.send?.({ type: 'ready', ...w });

void runChild(
  'nanny',
  (options: WorkerOptions) => Nanny.start(options),
  (nanny) => {
    nanny.on('ready', announce);
    if (nanny.worker !== undefined) announce(nanny.worker);
  },
);
