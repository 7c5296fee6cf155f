/*
 * The schedulers every DataFrame suite runs on, and closing their worker pools afterwards.
 */
import { closeProcessPools } from '../../../scheduler/processes/process-pool.js';
import { closeThreadPools } from '../../../scheduler/threads/thread-pool.js';

export const SCHEDULERS = ['sync', 'threads', 'processes'] as const;

export async function closePools(): Promise<void> {
  await closeThreadPools();
  await closeProcessPools();
}
