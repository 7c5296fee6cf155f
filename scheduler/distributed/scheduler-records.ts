/*
 * The scheduler's bookkeeping records: one SchedulerTask per key, one WorkerRecord per
 * registered worker, one ClientRecord per connected client, and the Outgoing envelope the state
 * machine returns instead of sending. Everything is linked by object references (never by key
 * lookups), and every link is kept on both sides: task.whoHas ↔ worker.hasWhat,
 * task.processingOn ↔ worker.processing, task.whoWants ↔ client.wantsWhat,
 * task.dependencies ↔ task.dependents. scheduler-validate.ts checks all of them.
 *
 * Task states (the transition table is in scheduler-transitions.ts):
 *   released    known, not needed right now (kept only as lineage of its dependents)
 *   waiting     needed; some dependencies are not in memory yet (`waitingOn`)
 *   queued      a root task (no dependencies) held back because every worker is saturated
 *   no-worker   ready, but no worker is registered
 *   processing  sent to `processingOn`
 *   memory      result held by the workers in `whoHas`
 *   erred       failed (or a dependency failed); `exception` says why
 *   forgotten   removed from the scheduler (a record in this state is detached)
 * waiting, queued, no-worker and processing are the ACTIVE states: an active task is a "waiter" of
 * each of its dependencies, which keeps their results alive.
 */
import type { Key } from '../../src/core/graph/task.js';
import type { FnRef } from '../../src/core/serialize/fn-ref.js';
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';
import type {
  Address,
  ClientId,
  EncodedValue,
  KeyInMemory,
  Priority,
  SchedulerToClient,
  SchedulerToWorker,
  WorkerInfo,
  WorkerMetrics,
} from './protocol.js';

export type TaskStateName =
  'released' | 'waiting' | 'queued' | 'no-worker' | 'processing' | 'memory' | 'erred' | 'forgotten';

export const ACTIVE_STATES: ReadonlySet<TaskStateName> = new Set<TaskStateName>([
  'waiting',
  'queued',
  'no-worker',
  'processing',
]);

/** What it takes to run a task. `args.frames` are positions in `frames` (0, 1, ...). */
export interface RunSpec {
  readonly fn: FnRef;
  readonly args: EncodedValue;
  readonly frames: readonly Uint8Array[];
  /** Milliseconds the task may run (TaskSpec.timeout). */
  readonly timeout?: number;
}

/** A message for one worker; `frames` go in the envelope after the JSON header. */
export interface WorkerOutgoing {
  readonly to: { readonly kind: 'worker'; readonly id: Address };
  readonly msg: SchedulerToWorker;
  readonly frames?: readonly Uint8Array[];
}
export interface ClientOutgoing {
  readonly to: { readonly kind: 'client'; readonly id: ClientId };
  readonly msg: SchedulerToClient;
}
export type Outgoing = WorkerOutgoing | ClientOutgoing;

/** Narrows an Outgoing (TypeScript does not narrow `msg` from the nested `to.kind`). */
export function isWorkerOutgoing(o: Outgoing): o is WorkerOutgoing {
  return o.to.kind === 'worker';
}

export interface SchedulerConfig {
  /** Worker deaths a task may be running through before it errs with KilledWorker. Default 3. */
  readonly allowedFailures?: number;
  /**
   * Root tasks (no dependencies) are sent to a worker only while it processes fewer than
   * ceil(nthreads × workerSaturation) tasks; the rest wait in the scheduler's queue. Default 1.1;
   * Infinity turns queuing off.
   */
  readonly workerSaturation?: number;
  /** Check every invariant after each stimulus and throw on the first violation. Default false. */
  readonly validate?: boolean;
  /** Transitions kept in `log` for debugging. Default 10000. */
  readonly logLength?: number;
}

export class SchedulerTask {
  state: TaskStateName = 'released';
  readonly dependencies = new Set<SchedulerTask>();
  readonly dependents = new Set<SchedulerTask>();
  /** While waiting: the dependencies not in memory. Empty in every other state. */
  readonly waitingOn = new Set<SchedulerTask>();
  /** The dependents in an active state: they need this task's result. */
  readonly waiters = new Set<SchedulerTask>();
  readonly whoWants = new Set<ClientRecord>();
  /** Workers holding the result; non-empty exactly in state memory. */
  readonly whoHas = new Set<WorkerRecord>();
  processingOn: WorkerRecord | undefined = undefined;
  /** Addresses of workers that reported this task's error (told to free it when it is released). */
  readonly erredOn = new Set<Address>();
  /** Size of the result in bytes, once known. */
  nbytes = 0;
  typeName: string | undefined = undefined;
  exception: ErrorRecord | undefined = undefined;
  /** Workers that died while running this task. */
  suspicious = 0;

  constructor(
    readonly key: Key,
    /** Undefined for scattered data: it cannot be recomputed. */
    readonly spec: RunSpec | undefined,
    public priority: Priority,
    /** Runs left after a failure. */
    public retries: number,
  ) {}
}

export class WorkerRecord {
  readonly processing = new Set<SchedulerTask>();
  readonly hasWhat = new Set<SchedulerTask>();
  /** Sum of nbytes over hasWhat. */
  nbytes = 0;
  metrics: WorkerMetrics = { executing: 0, memory: 0, ready: 0, inFlight: 0 };
  /** A paused worker (memory above its pause threshold) is given no new task. */
  status: 'running' | 'paused' = 'running';

  constructor(
    readonly info: WorkerInfo,
    /** Time of registration or of the last heartbeat (the caller's clock, e.g. Date.now()). */
    public lastSeen: number,
  ) {}

  get address(): Address {
    return this.info.address;
  }

  get nthreads(): number {
    return Math.max(1, this.info.nthreads);
  }
}

export class ClientRecord {
  readonly wantsWhat = new Set<SchedulerTask>();
  constructor(readonly id: ClientId) {}
}

/** The key-in-memory report of `ts`, naming its holders so the client can fetch without asking who-has. */
export function keyInMemory(ts: SchedulerTask): KeyInMemory {
  const workers = [...ts.whoHas].map((ws) => ws.address);
  return ts.typeName === undefined
    ? { op: 'key-in-memory', key: ts.key, nbytes: ts.nbytes, workers }
    : { op: 'key-in-memory', key: ts.key, nbytes: ts.nbytes, typeName: ts.typeName, workers };
}

/** Extra facts a stimulus hands to the transition it starts. */
export interface TransitionContext {
  readonly worker?: WorkerRecord;
  readonly nbytes?: number;
  readonly typeName?: string | undefined;
  readonly error?: ErrorRecord;
}
