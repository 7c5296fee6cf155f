/*
 * Where a task runs.
 *   - A task with dependencies goes to the worker already holding the most bytes of them (data
 *     locality: fewer bytes to move), ties broken by the least occupied worker (processing tasks
 *     per thread), then by registration order.
 *   - A root task (no dependencies) goes to the least occupied worker that is not saturated: a
 *     worker is saturated when it processes ceil(nthreads × workerSaturation) tasks or more (at
 *     least 1) - or, for tasks whose prefix is known to be quick, enough of them to cover
 *     PIPELINE_MS of work per thread (at most MAX_PIPELINE), so that a worker does not sit idle
 *     for a scheduler round trip between tiny tasks (measured: 5,000 tasks of ~50 us ran at half
 *     speed with two slots). When every worker is saturated, or other root tasks are already queued (so none
 *     jumps the queue), the task is queued in the scheduler and sent when a slot frees up. With
 *     workerSaturation = Infinity there is no queue: the least occupied worker takes it.
 * Paused workers (memory above their pause threshold) are left out of every choice, and count as
 * saturated. decideWorker answers a worker, 'queue', or 'none' (no running worker).
 */
import type { SchedulerCore } from './scheduler-core.js';
import type { SchedulerTask, WorkerRecord } from './scheduler-records.js';

/** Milliseconds of queued work per thread that hide a scheduler round trip. */
const PIPELINE_MS = 2;
/** Root tasks per thread a worker may hold, however quick they are. */
const MAX_PIPELINE = 32;

/** The typical duration of `ts`'s prefix (ms), when known: what slotsOf needs of a root task. */
export function rootTaskMs(s: SchedulerCore, ts: SchedulerTask | undefined): number | undefined {
  return ts === undefined ? undefined : s.prefixDuration(ts);
}

/** How many tasks `ws` may process before it counts as saturated, for a root task of duration `ms`. */
export function slotsOf(s: SchedulerCore, ws: WorkerRecord, ms: number | undefined): number {
  const sat = s.config.workerSaturation;
  if (!Number.isFinite(sat)) return Infinity;
  const base = Math.max(1, Math.ceil(ws.nthreads * sat));
  if (ms === undefined) return base;
  return Math.max(base, Math.min(MAX_PIPELINE, Math.ceil(PIPELINE_MS / Math.max(ms, 0.001))) * ws.nthreads);
}

export function isSaturated(s: SchedulerCore, ws: WorkerRecord, ms: number | undefined): boolean {
  return ws.status === 'paused' || ws.processing.size >= slotsOf(s, ws, ms);
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

/** The least occupied worker with a free slot for root task `ts`, if any. */
export function rootWorker(s: SchedulerCore, ts?: SchedulerTask): WorkerRecord | undefined {
  let best: WorkerRecord | undefined;
  const ms = rootTaskMs(s, ts); // once, not once per worker
  for (const ws of s.workers.values()) {
    if (isSaturated(s, ws, ms)) continue;
    if (best === undefined || occupancy(ws) < occupancy(best)) best = ws;
  }
  return best;
}

export function decideWorker(s: SchedulerCore, ts: SchedulerTask): WorkerRecord | 'queue' | 'none' {
  if (!hasRunningWorker(s)) return 'none';
  if (ts.dependencies.size === 0) {
    if (!Number.isFinite(s.config.workerSaturation)) return leastOccupied(runningWorkers(s));
    if (s.queued.size > 0 && !s.queued.has(ts)) return 'queue';
    return rootWorker(s, ts) ?? 'queue';
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
