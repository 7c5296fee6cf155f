/*
 * Where a task runs.
 *   - A task with dependencies goes to the worker already holding the most bytes of them (data
 *     locality: fewer bytes to move), ties broken by the least occupied worker (processing tasks
 *     per thread), then by registration order.
 *   - A root task (no dependencies) goes to the least occupied worker that is not saturated: a
 *     worker is saturated when it processes ceil(nthreads × workerSaturation) tasks or more (at
 *     least 1). When every worker is saturated, or other root tasks are already queued (so none
 *     jumps the queue), the task is queued in the scheduler and sent when a slot frees up. With
 *     workerSaturation = Infinity there is no queue: the least occupied worker takes it.
 * Paused workers (memory above their pause threshold) are left out of every choice, and count as
 * saturated. decideWorker answers a worker, 'queue', or 'none' (no running worker).
 */
import type { SchedulerCore } from './scheduler-core.js';
import type { SchedulerTask, WorkerRecord } from './scheduler-records.js';

/** How many tasks `ws` may process before it counts as saturated. */
export function slotsOf(s: SchedulerCore, ws: WorkerRecord): number {
  const sat = s.config.workerSaturation;
  return Number.isFinite(sat) ? Math.max(1, Math.ceil(ws.nthreads * sat)) : Infinity;
}

export function isSaturated(s: SchedulerCore, ws: WorkerRecord): boolean {
  return ws.status === 'paused' || ws.processing.size >= slotsOf(s, ws);
}

/** Workers that take new tasks. */
export function* runningWorkers(s: SchedulerCore): Generator<WorkerRecord> {
  for (const ws of s.workers.values()) if (ws.status === 'running') yield ws;
}

export function hasRunningWorker(s: SchedulerCore): boolean {
  return !runningWorkers(s).next().done;
}

/** Processing tasks per thread. */
export function occupancy(ws: WorkerRecord): number {
  return ws.processing.size / ws.nthreads;
}

/** The least occupied worker with a free slot, if any. */
export function rootWorker(s: SchedulerCore): WorkerRecord | undefined {
  let best: WorkerRecord | undefined;
  for (const ws of s.workers.values()) {
    if (isSaturated(s, ws)) continue;
    if (best === undefined || occupancy(ws) < occupancy(best)) best = ws;
  }
  return best;
}

export function decideWorker(s: SchedulerCore, ts: SchedulerTask): WorkerRecord | 'queue' | 'none' {
  if (!hasRunningWorker(s)) return 'none';
  if (ts.dependencies.size === 0) {
    if (!Number.isFinite(s.config.workerSaturation)) return leastOccupied(runningWorkers(s));
    if (s.queued.size > 0 && !s.queued.has(ts)) return 'queue';
    return rootWorker(s) ?? 'queue';
  }
  const held = new Map<WorkerRecord, number>();
  for (const d of ts.dependencies) {
    for (const ws of d.whoHas) held.set(ws, (held.get(ws) ?? 0) + d.nbytes);
  }
  let best: WorkerRecord | undefined;
  let bestBytes = -1;
  for (const ws of runningWorkers(s)) {
    const bytes = held.get(ws) ?? 0;
    if (bytes > bestBytes || (bytes === bestBytes && best !== undefined && occupancy(ws) < occupancy(best))) {
      best = ws;
      bestBytes = bytes;
    }
  }
  return best!;
}

function leastOccupied(workers: Iterable<WorkerRecord>): WorkerRecord {
  let best: WorkerRecord | undefined;
  for (const ws of workers) if (best === undefined || occupancy(ws) < occupancy(best)) best = ws;
  return best!;
}
