/*
 * The scheduler's transition table (Dask's _TRANSITIONS_TABLE): one handler per allowed
 * `${from}->${to}`. A handler updates the records of one task, appends messages, and recommends
 * transitions of other tasks (or of this one, e.g. waiting->processing recommends no-worker when
 * no worker exists). Pairs not listed go through 'released' (see scheduler-core.ts).
 *
 *   released   -> waiting     needed now: wait for dependencies (recompute released ones)
 *   released   -> erred       a dependency erred, or scattered data was lost
 *   released   -> memory      scattered data arrived
 *   released   -> forgotten   nothing refers to it
 *   waiting    -> processing  every dependency in memory: decide a worker and send compute-task
 *              -> queued / no-worker / released / erred
 *   queued     -> processing / released
 *   no-worker  -> processing / queued / waiting / released
 *   processing -> memory      task-finished (tell wanting clients, free dependencies nobody needs)
 *   processing -> erred       task-erred or KilledWorker; dependents err too
 *   processing -> waiting     rescheduled: its worker died, a retry, a dependency was lost
 *   processing -> released    nobody needs it: cancel-compute on the worker
 *   memory     -> released    freed on the workers, or lost with them (recomputed if still needed)
 *   erred      -> released
 */
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';
import type { SchedulerCore } from './scheduler-core.js';
import { decideWorker } from './scheduler-placement.js';
import {
  ACTIVE_STATES,
  keyInMemory,
  type SchedulerTask,
  type TaskStateName,
  type TransitionContext,
} from './scheduler-records.js';

export type Transition =
  | 'released->waiting'
  | 'released->erred'
  | 'released->memory'
  | 'released->forgotten'
  | 'waiting->processing'
  | 'waiting->queued'
  | 'waiting->no-worker'
  | 'waiting->released'
  | 'waiting->erred'
  | 'queued->processing'
  | 'queued->released'
  | 'no-worker->processing'
  | 'no-worker->queued'
  | 'no-worker->waiting'
  | 'no-worker->released'
  | 'processing->memory'
  | 'processing->erred'
  | 'processing->waiting'
  | 'processing->released'
  | 'memory->released'
  | 'erred->released';

export type TransitionHandler = (s: SchedulerCore, ts: SchedulerTask, ctx: TransitionContext) => void;

/** The record of data lost with its workers that cannot be recomputed. */
export function lostDataRecord(key: string): ErrorRecord {
  return {
    name: 'LostDataError',
    message: `the data of ${key} was lost with every worker holding it, and it cannot be recomputed: it was scattered, not computed`,
    stack: '',
    key,
  };
}

/** Fills `waitingOn` with the dependencies not in memory and asks for released ones. */
function waitForDependencies(s: SchedulerCore, ts: SchedulerTask): void {
  ts.waitingOn.clear();
  for (const d of ts.dependencies) {
    if (d.state === 'memory' && d.whoHas.size > 0) continue;
    ts.waitingOn.add(d);
    if (d.state === 'released') s.recommend(d, 'waiting');
  }
  if (ts.waitingOn.size === 0) s.recommend(ts, 'processing');
}

function toReleased(s: SchedulerCore, ts: SchedulerTask, wasActive: boolean): void {
  ts.state = 'released';
  if (wasActive) s.leaveActive(ts);
  if (s.canForget(ts)) s.recommend(ts, 'forgotten');
}

function toErred(s: SchedulerCore, ts: SchedulerTask, ctx: TransitionContext): void {
  let error = ctx.error;
  if (error === undefined) for (const d of ts.dependencies) if (d.state === 'erred') error ??= d.exception;
  ts.state = 'erred';
  ts.exception = error ?? ts.exception ?? lostDataRecord(ts.key);
  // Also from released: dependencies started for it in the same update-graph are not needed now.
  s.leaveActive(ts);
  for (const d of ts.dependents) if (ACTIVE_STATES.has(d.state)) s.recommend(d, 'erred');
  s.report(ts, { op: 'task-erred', key: ts.key, error: ts.exception });
}

/** A dependency of `ts`'s dependents arrived. */
function dependencyArrived(s: SchedulerCore, ts: SchedulerTask): void {
  for (const d of ts.dependents) {
    if (d.state === 'waiting' && d.waitingOn.delete(ts) && d.waitingOn.size === 0) s.recommend(d, 'processing');
  }
  s.report(ts, keyInMemory(ts));
}

function toProcessing(s: SchedulerCore, ts: SchedulerTask, leave: () => void, ctx: TransitionContext): void {
  const target = ctx.worker ?? decideWorker(s, ts);
  if (target === 'none' || target === 'queue') {
    // Only a waiting task moves on from here; a queued one stays queued, a no-worker root may queue.
    const next: TaskStateName = target === 'none' ? 'no-worker' : 'queued';
    if (ts.state === 'waiting' || (ts.state === 'no-worker' && next === 'queued')) s.recommend(ts, next);
    return;
  }
  leave();
  s.assign(ts, target);
}

export const TRANSITIONS: Readonly<Record<Transition, TransitionHandler>> = {
  'released->waiting': (s, ts) => {
    if (ts.spec === undefined || [...ts.dependencies].some((d) => d.state === 'erred')) {
      s.recommend(ts, 'erred');
      return;
    }
    ts.state = 'waiting';
    s.enterActive(ts);
    waitForDependencies(s, ts);
  },
  'released->erred': (s, ts, ctx) => toErred(s, ts, ctx),
  'released->memory': (s, ts, ctx) => {
    ts.state = 'memory';
    ts.exception = undefined;
    ts.nbytes = ctx.nbytes ?? ts.nbytes;
    ts.typeName = ctx.typeName ?? ts.typeName;
    s.addReplica(ts, ctx.worker!);
    dependencyArrived(s, ts);
  },
  'released->forgotten': (s, ts) => {
    s.tasks.delete(ts.key);
    s.steals.delete(ts);
    ts.state = 'forgotten';
    for (const d of ts.dependencies) {
      d.dependents.delete(ts);
      d.waiters.delete(ts);
      if (d.state === 'released' || d.state === 'erred') s.releaseIfUnneeded(d);
    }
    for (const cs of ts.whoWants) cs.wantsWhat.delete(ts);
  },
  'waiting->processing': (s, ts, ctx) => toProcessing(s, ts, () => undefined, ctx),
  'waiting->queued': (s, ts) => {
    ts.state = 'queued';
    s.queued.add(ts);
  },
  'waiting->no-worker': (s, ts) => {
    ts.state = 'no-worker';
    s.unrunnable.add(ts);
  },
  'waiting->released': (s, ts) => {
    ts.waitingOn.clear();
    toReleased(s, ts, true);
  },
  'waiting->erred': (s, ts, ctx) => {
    ts.waitingOn.clear();
    toErred(s, ts, ctx);
  },
  'queued->processing': (s, ts, ctx) => toProcessing(s, ts, () => s.queued.delete(ts), ctx),
  'queued->released': (s, ts) => {
    s.queued.delete(ts);
    toReleased(s, ts, true);
  },
  'no-worker->processing': (s, ts, ctx) => toProcessing(s, ts, () => s.unrunnable.delete(ts), ctx),
  'no-worker->queued': (s, ts) => {
    s.unrunnable.delete(ts);
    ts.state = 'queued';
    s.queued.add(ts);
  },
  'no-worker->waiting': (s, ts) => {
    s.unrunnable.delete(ts);
    ts.state = 'waiting';
    waitForDependencies(s, ts);
  },
  'no-worker->released': (s, ts) => {
    s.unrunnable.delete(ts);
    toReleased(s, ts, true);
  },
  'processing->memory': (s, ts, ctx) => {
    const ws = ctx.worker!;
    const was = s.unassign(ts);
    if (was !== ws) s.send(was, { op: 'cancel-compute', key: ts.key });
    ts.state = 'memory';
    ts.exception = undefined;
    ts.nbytes = ctx.nbytes ?? 0;
    ts.typeName = ctx.typeName;
    s.addReplica(ts, ws);
    s.leaveActive(ts);
    dependencyArrived(s, ts);
  },
  'processing->erred': (s, ts, ctx) => {
    s.unassign(ts);
    if (ctx.worker !== undefined) ts.erredOn.add(ctx.worker.address);
    toErred(s, ts, ctx);
  },
  'processing->waiting': (s, ts) => {
    s.send(s.unassign(ts), { op: 'cancel-compute', key: ts.key });
    ts.state = 'waiting';
    waitForDependencies(s, ts);
  },
  'processing->released': (s, ts) => {
    s.send(s.unassign(ts), { op: 'cancel-compute', key: ts.key });
    toReleased(s, ts, true);
  },
  'memory->released': (s, ts) => {
    for (const ws of [...ts.whoHas]) {
      s.freeOn(ws, ts.key);
      s.removeReplica(ts, ws);
    }
    ts.state = 'released';
    for (const d of ts.dependents) {
      if (d.state === 'waiting') d.waitingOn.add(ts);
      else if (ACTIVE_STATES.has(d.state)) s.recommend(d, 'waiting');
    }
    if (s.needed(ts)) {
      s.report(ts, { op: 'lost-data', key: ts.key });
      s.recommend(ts, ts.spec === undefined ? 'erred' : 'waiting');
    } else if (s.canForget(ts)) {
      s.recommend(ts, 'forgotten');
    }
  },
  'erred->released': (s, ts) => {
    for (const address of ts.erredOn) {
      const ws = s.workers.get(address);
      if (ws !== undefined) s.freeOn(ws, ts.key);
    }
    ts.erredOn.clear();
    ts.exception = undefined;
    ts.state = 'released';
    if (s.needed(ts)) s.recommend(ts, 'waiting');
    else if (s.canForget(ts)) s.recommend(ts, 'forgotten');
  },
};
