/*
 * The worker state machine's records and the instructions it returns instead of doing I/O.
 *
 * One WorkerTask per key the worker deals with. A key is either a task the scheduler asked this
 * worker to compute (`run` is set) or a dependency of one, fetched from peers. States:
 *   released   transient: on its way to another state or to being forgotten
 *   waiting    a compute task some of whose dependencies are not here yet (`waitingFor`)
 *   ready      a compute task with every dependency here, queued by priority for a thread
 *   executing  running on a thread (the runner got an 'execute' instruction)
 *   memory     the value is in the runner's data store
 *   error      the computation threw; kept until the scheduler frees it or sends it again
 *   fetch      a dependency to gather from one of `whoHas` (peers)
 *   flight     being gathered from `comingFrom`
 *   missing    a dependency no known peer has; waits for the scheduler to name holders again
 *   cancelled  released by the scheduler while executing or in flight: the thread or the
 *              transfer cannot be stopped, so the result is dropped when it arrives (unless the
 *              task is wanted again meanwhile, which resumes `cancelledFrom`)
 *   forgotten  removed (a record in this state is detached)
 * `dependents` of a task are exactly the local waiting/ready tasks that need it: a task starting to
 * execute lets go of its dependencies, since the runner read their values when it started it.
 * `scheduled` means the scheduler counts on this task here: it sent compute-task, or was told by
 * task-finished / add-keys that the value is here; free-keys and cancel-compute clear it. A task
 * that is neither scheduled nor needed by a dependent is forgotten (its value dropped).
 */
import type { Key } from '../../src/core/graph/task.js';
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';
import type { Address, Priority, WorkerToScheduler } from './protocol.js';
import type { RunSpec } from './scheduler-records.js';

export type WorkerTaskState =
  | 'released'
  | 'waiting'
  | 'ready'
  | 'executing'
  | 'memory'
  | 'error'
  | 'fetch'
  | 'flight'
  | 'missing'
  | 'cancelled'
  | 'forgotten';

export class WorkerTask {
  state: WorkerTaskState = 'released';
  /** What to run, for tasks the scheduler asked this worker to compute. */
  run: RunSpec | undefined = undefined;
  readonly dependencies = new Set<WorkerTask>();
  readonly dependents = new Set<WorkerTask>();
  /** While waiting: the dependencies not in memory. */
  readonly waitingFor = new Set<WorkerTask>();
  /** Peers said to hold the value (never this worker). */
  readonly whoHas = new Set<Address>();
  comingFrom: Address | undefined = undefined;
  scheduled = false;
  cancelledFrom: 'executing' | 'flight' | undefined = undefined;
  nbytes = 0;
  typeName: string | undefined = undefined;
  error: ErrorRecord | undefined = undefined;

  constructor(
    readonly key: Key,
    public priority: Priority,
  ) {}
}

/** What the runner must do, in order. */
export type Instruction =
  /** Run the task: decode `args` (frames.ts header over `frames`), reading each TaskRef's value from the data store now. */
  | { readonly kind: 'execute'; readonly key: Key; readonly run: RunSpec }
  /** Send get-data {keys} to `worker`, store what arrives, then call gatherDone (or gatherFailed). */
  | { readonly kind: 'gather'; readonly worker: Address; readonly keys: readonly Key[] }
  | { readonly kind: 'send-scheduler'; readonly msg: WorkerToScheduler }
  /** Delete these keys from the data store. */
  | { readonly kind: 'drop-data'; readonly keys: readonly Key[] };

export interface WorkerStateConfig {
  /** This worker's own address (never fetched from). */
  readonly address: Address;
  readonly nthreads: number;
  /** Concurrent gathers from one peer. Default 1. */
  readonly gathersPerPeer?: number;
  /** Concurrent gathers in all. Default 4. */
  readonly gathersTotal?: number;
  /** Keys asked of a peer in one gather. Default 100. */
  readonly gatherBatch?: number;
  /** Bytes asked of a peer in one gather (at least one key is always asked), as far as sizes are known. Default 50 MB. */
  readonly gatherBytes?: number;
  /** Check the invariants after each stimulus and throw on a violation. Default false. */
  readonly validate?: boolean;
}
