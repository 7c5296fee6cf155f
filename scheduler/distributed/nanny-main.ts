/*
 * Entry file of a nanny process started by LocalCluster (loaded from dist/): WorkerOptions arrive
 * as the first IPC message (ipc-options.ts, never argv); the nanny (nanny.ts) starts and supervises one worker process. Every time a
 * worker joins the scheduler (first start and restarts) the parent gets {type: 'ready', address,
 * name, pid} on the IPC channel. SIGTERM/SIGINT or the parent going away (IPC disconnect) close
 * the worker and end the nanny; otherwise it ends with the nanny's own exit code.
 */
import { optionsFromParent } from './ipc-options.js';
import { Nanny } from './nanny.js';
import type { WorkerOptions } from './worker.js';

async function main(): Promise<void> {
  // Signals are watched from the start: one arriving while the worker starts is acted on once it has.
  let stopping = false;
  let nanny: Nanny | undefined;
  const stop = (): void => {
    stopping = true;
    void nanny?.close();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  const options = await optionsFromParent<WorkerOptions>();
  try {
    nanny = await Nanny.start(options);
  } catch (e) {
    process.stderr.write(`dask-ts nanny: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const announce = (w: { address: string; name: string; pid: number }): void => void process.send?.({ type: 'ready', ...w });
  nanny.on('ready', announce);
  if (stopping) void nanny.close();
  else if (nanny.worker !== undefined) announce(nanny.worker);
  process.exit(await nanny.ended);
}

void main();
