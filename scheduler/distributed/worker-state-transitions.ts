/*
 * The worker's transition table: one handler per allowed `${from}->${to}` (pairs not listed go
 * through 'released', see WorkerState.transition). Handlers update one task's records and emit
 * instructions; they may move other tasks too (a value arriving readies its dependents, a task
 * letting go of a dependency may forget it).
 *
 *   compute:    released -> waiting | ready;  waiting -> ready;  ready -> executing
 *               executing -> memory (task-finished) | error (task-erred) | cancelled
 *   dependency: released -> fetch | missing;  fetch -> flight | missing;  missing -> fetch
 *               flight -> memory (add-keys) | fetch | missing | cancelled
 *   cancelled -> executing | flight (wanted again) | released (its result was dropped)
 *   waiting, ready, fetch, missing, memory (drop-data), error -> released;  released -> memory (put-data)
 *   released -> forgotten
 */
import type { Address } from './protocol.js';
import type { WorkerState } from './worker-state.js';
import type { WorkerTask } from './worker-state-records.js';
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';

export interface WorkerTransitionContext {
  readonly nbytes?: number;
  readonly typeName?: string | undefined;
  readonly error?: ErrorRecord;
  /** For fetch->flight: the peer asked. */
  readonly peer?: Address;
}

export type WorkerTransition =
  | 'released->waiting'
  | 'released->ready'
  | 'released->fetch'
  | 'released->missing'
  | 'released->memory'
  | 'released->forgotten'
  | 'waiting->ready'
  | 'waiting->released'
  | 'ready->executing'
  | 'ready->released'
  | 'executing->memory'
  | 'executing->error'
  | 'executing->cancelled'
  | 'fetch->flight'
  | 'fetch->missing'
  | 'fetch->released'
  | 'flight->memory'
  | 'flight->fetch'
  | 'flight->missing'
  | 'flight->cancelled'
  | 'missing->fetch'
  | 'missing->released'
  | 'cancelled->executing'
  | 'cancelled->flight'
  | 'cancelled->released'
  | 'memory->released'
  | 'error->released';

export type WorkerTransitionHandler = (w: WorkerState, t: WorkerTask, ctx: WorkerTransitionContext) => void;

/** The value of `t` is now in the data store. */
function toMemory(w: WorkerState, t: WorkerTask, ctx: WorkerTransitionContext): void {
  t.state = 'memory';
  t.nbytes = ctx.nbytes ?? 0;
  t.typeName = ctx.typeName;
  w.memoryBytes += t.nbytes;
  for (const d of [...t.dependents]) {
    if (d.waitingFor.delete(t) && d.state === 'waiting' && d.waitingFor.size === 0) w.transition(d, 'ready');
  }
}

function finished(t: WorkerTask): { op: 'task-finished'; key: string; nbytes: number; typeName?: string } {
  return t.typeName === undefined
    ? { op: 'task-finished', key: t.key, nbytes: t.nbytes }
    : { op: 'task-finished', key: t.key, nbytes: t.nbytes, typeName: t.typeName };
}

const state =
  (to: WorkerTask['state']): WorkerTransitionHandler =>
  (_w, t) => {
    t.state = to;
  };

export const WORKER_TRANSITIONS: Readonly<Record<WorkerTransition, WorkerTransitionHandler>> = {
  'released->waiting': state('waiting'),
  'released->ready': (w, t) => {
    t.state = 'ready';
    w.ready.add(t);
  },
  'released->fetch': (w, t) => {
    t.state = 'fetch';
    w.enterFetch(t);
  },
  'released->missing': state('missing'),
  'released->memory': toMemory,
  'released->forgotten': (w, t) => {
    t.state = 'forgotten';
    w.tasks.delete(t.key);
    w.letGoOfDependencies(t);
  },
  'waiting->ready': (w, t) => {
    t.state = 'ready';
    w.ready.add(t);
  },
  'waiting->released': (w, t) => {
    t.state = 'released';
    w.letGoOfDependencies(t);
  },
  'ready->executing': (w, t) => {
    w.ready.delete(t);
    t.state = 'executing';
    w.executing.add(t);
    w.emit({ kind: 'execute', key: t.key, run: t.run! });
    w.letGoOfDependencies(t);
  },
  'ready->released': (w, t) => {
    w.ready.delete(t);
    t.state = 'released';
    w.letGoOfDependencies(t);
  },
  'executing->memory': (w, t, ctx) => {
    w.executing.delete(t);
    toMemory(w, t, ctx);
    t.scheduled = true;
    w.emit({ kind: 'send-scheduler', msg: finished(t) });
  },
  'executing->error': (w, t, ctx) => {
    w.executing.delete(t);
    t.state = 'error';
    t.error = ctx.error!;
    w.emit({ kind: 'send-scheduler', msg: { op: 'task-erred', key: t.key, error: t.error } });
  },
  'executing->cancelled': (_w, t) => {
    t.state = 'cancelled';
    t.cancelledFrom = 'executing';
  },
  'fetch->flight': (w, t, ctx) => {
    w.leaveFetch(t);
    t.state = 'flight';
    t.comingFrom = ctx.peer!;
  },
  'fetch->missing': (w, t) => {
    w.leaveFetch(t);
    t.state = 'missing';
  },
  'fetch->released': (w, t) => {
    w.leaveFetch(t);
    t.state = 'released';
  },
  'flight->memory': (w, t, ctx) => {
    t.comingFrom = undefined;
    toMemory(w, t, ctx);
    t.scheduled = true;
    if (t.run !== undefined) w.emit({ kind: 'send-scheduler', msg: finished(t) });
    else w.addKey(t);
  },
  'flight->fetch': (w, t) => {
    t.comingFrom = undefined;
    t.state = 'fetch';
    w.enterFetch(t);
  },
  'flight->missing': (_w, t) => {
    t.comingFrom = undefined;
    t.state = 'missing';
  },
  'flight->cancelled': (_w, t) => {
    t.state = 'cancelled';
    t.cancelledFrom = 'flight';
  },
  'missing->fetch': (w, t) => {
    t.state = 'fetch';
    w.enterFetch(t);
  },
  'missing->released': state('released'),
  'cancelled->executing': (_w, t) => {
    t.state = 'executing';
    t.cancelledFrom = undefined;
  },
  'cancelled->flight': (_w, t) => {
    t.state = 'flight';
    t.cancelledFrom = undefined;
  },
  'cancelled->released': (w, t) => {
    if (t.cancelledFrom === 'executing') w.executing.delete(t);
    t.cancelledFrom = undefined;
    t.comingFrom = undefined;
    t.state = 'released';
  },
  'memory->released': (w, t) => {
    w.memoryBytes -= t.nbytes;
    w.drop(t.key);
    t.state = 'released';
  },
  'error->released': (_w, t) => {
    t.error = undefined;
    t.state = 'released';
  },
};
