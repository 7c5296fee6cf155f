/*
 * Registers the built-in schedulers by name as lazy import()s; every package face calls it, so
 * `compute()` finds 'sync', 'threads' and 'processes' whichever entry point was imported, while a scheduler's
 * code (and its worker threads) loads only when first used.
 */
import { registerScheduler } from './core/scheduler-registry.js';

let done = false;

export function registerBuiltinSchedulers(): void {
  if (done) return;
  done = true;
  registerScheduler('sync', async () => (await import('../scheduler/sync.js')).syncScheduler);
  registerScheduler(
    'threads',
    async () => (await import('../scheduler/threads/threads-scheduler.js')).threadsScheduler,
  );
  registerScheduler(
    'processes',
    async () => (await import('../scheduler/processes/processes-scheduler.js')).processesScheduler,
  );
}
