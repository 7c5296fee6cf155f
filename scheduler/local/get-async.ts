/*
 * getAsync: the one-machine scheduling loop shared by sync, threads and processes (after
 * dask/local.py). State, all indexed by the plan's integer task ids (see plan.ts):
 *   waiting[i]    dependencies of i not yet finished; i is ready at 0
 *   remaining[i]  dependents of i not yet finished; i's result is released at 0
 *                 (requested keys get one extra count, so they are never released)
 *   results[i]    the value of i while somebody still needs it
 *   ready         a min-heap of ready ids; the id is the priority, so the depth-first order of
 *                 plan.ts decides which ready task goes next
 * The loop fills the executor's slots with batches of ready tasks, and on each finished batch
 * stores results, releases inputs whose last dependent just finished, and moves newly ready
 * dependents into the heap. Data nodes and aliases finish without the executor. The first task
 * error rejects the computation (remaining batches are ignored); the executor stays usable.
 * Hooks (start, pretask, posttask, finish) see a live LoopState.
 */
import { planGraph, type Plan } from '../../src/core/graph/plan.js';
import type { Graph, Key, Task } from '../../src/core/graph/task.js';
import type { GetOptions, LoopState, SchedulerHooks } from '../../src/core/scheduler-types.js';
import { TaskError, DaskError, GraphError } from '../../src/core/errors.js';
import { encodeError } from '../../src/core/serialize/error-codec.js';
import type { BatchOutcome, Executor } from './executor.js';
import { ReadyHeap } from './ready-heap.js';

class Loop implements LoopState {
  total: number;
  done = 0;
  running = 0;
  live = 0;
  private readonly waiting: Int32Array;
  private readonly remaining: Int32Array;
  private readonly results: unknown[];
  private readonly ready: ReadyHeap;
  private readonly hooks: readonly SchedulerHooks[];
  private outstanding = 0;
  private pumping = false;
  private failed = false;
  /** Key → position among deps, for tasks with many dependencies (built when first needed). */
  private readonly positions = new Map<number, Map<Key, number>>();

  constructor(
    private readonly plan: Plan,
    private readonly executor: Executor,
    hooks: readonly SchedulerHooks[],
    private readonly resolve: (values: unknown[]) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const n = plan.nodes.length;
    this.total = n;
    this.hooks = hooks;
    this.results = new Array<unknown>(n);
    this.waiting = new Int32Array(n);
    this.remaining = new Int32Array(n);
    this.ready = new ReadyHeap(n);
    for (let i = 0; i < n; i++) {
      this.waiting[i] = plan.depStart[i + 1]! - plan.depStart[i]!;
      this.remaining[i] = plan.dependentStart[i + 1]! - plan.dependentStart[i]!;
      if (this.waiting[i] === 0) this.ready.push(i);
    }
    for (const o of plan.outputs) this.remaining[o]! += 1;
  }

  /** Hands ready work to the executor until its slots are full or nothing is ready. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.failed && this.ready.size > 0 && this.outstanding < this.executor.slots) {
        const ids = this.takeBatch();
        if (ids.length > 0) this.dispatch(ids);
      }
      if (!this.failed && this.done === this.total) this.finish();
    } finally {
      this.pumping = false;
    }
  }

  /** Pops up to one batch of executor tasks; data nodes and aliases complete on the way. */
  private takeBatch(): number[] {
    const want = this.executor.batchSize(this.ready.size);
    const ids: number[] = [];
    while (ids.length < want && this.ready.size > 0) {
      const i = this.ready.pop();
      const node = this.plan.nodes[i]!;
      if (node.kind === 'task') ids.push(i);
      else this.complete(i, node.kind === 'data' ? node.value : this.results[this.plan.deps[this.plan.depStart[i]!]!]);
    }
    return ids;
  }

  private dispatch(ids: number[]): void {
    const tasks = ids.map((i) => this.plan.nodes[i] as Task);
    this.outstanding += 1;
    this.running += ids.length;
    if (this.hooks.length > 0) for (const t of tasks) for (const h of this.hooks) h.pretask?.(t.key, this);
    try {
      this.executor.run(
        tasks,
        (j, k) => this.dependencyValue(ids[j]!, k),
        (outcome) => this.onBatch(ids, outcome),
      );
    } catch (error) {
      // The executor refused the batch before running it (say, a function that cannot be shipped).
      this.outstanding -= 1;
      this.running -= ids.length;
      this.fail(error);
    }
  }

  /**
   * The value of dependency `key` of task `r`, found by its position in the task's deps (plan.ts
   * keeps CSR deps in that order); tasks with many dependencies get a key → position map once.
   */
  private dependencyValue(r: number, key: Key): unknown {
    const p = this.plan;
    const deps = p.nodes[r]!.deps;
    let pos = -1;
    if (deps.length <= 16) {
      for (let i = 0; i < deps.length; i++) {
        if (deps[i] === key) {
          pos = i;
          break;
        }
      }
    } else {
      let positions = this.positions.get(r);
      if (positions === undefined) {
        positions = new Map(deps.map((d, i) => [d, i]));
        this.positions.set(r, positions);
      }
      pos = positions.get(key) ?? -1;
    }
    if (pos < 0) throw new GraphError(`task ${p.keys[r]!} reads ${key}, which is not among its dependencies`, { key });
    return this.results[p.deps[p.depStart[r]! + pos]!];
  }

  private onBatch(ids: number[], outcome: BatchOutcome): void {
    this.outstanding -= 1;
    this.running -= ids.length;
    if (this.failed) return;
    // Called from a worker's message handler: anything thrown here (a hook, say) must reject the
    // computation, not escape as an uncaught exception.
    try {
      const { results, error } = outcome;
      const finished = error === undefined ? ids.length : error.index;
      for (let k = 0; k < finished; k++) this.complete(ids[k]!, results[k]);
      if (error !== undefined) {
        this.fail(asTaskError(this.plan.keys[ids[error.index]!]!, error.error));
        return;
      }
      this.pump();
    } catch (thrown) {
      if (!this.failed) this.fail(thrown);
    }
  }

  private complete(i: number, value: unknown): void {
    const p = this.plan;
    this.results[i] = value;
    if (this.positions.size > 0) this.positions.delete(i);
    this.live += 1;
    this.done += 1;
    if (this.hooks.length > 0) for (const h of this.hooks) h.posttask?.(p.keys[i]!, value, this);
    for (let k = p.dependentStart[i]!, end = p.dependentStart[i + 1]!; k < end; k++) {
      const d = p.dependents[k]!;
      if (--this.waiting[d]! === 0) this.ready.push(d);
    }
    for (let k = p.depStart[i]!, end = p.depStart[i + 1]!; k < end; k++) {
      const d = p.deps[k]!;
      if (--this.remaining[d]! === 0) {
        this.results[d] = undefined;
        this.live -= 1;
      }
    }
  }

  private finish(): void {
    for (const h of this.hooks) h.finish?.(this, undefined);
    this.resolve(Array.from(this.plan.outputs, (o) => this.results[o]));
  }

  private fail(error: unknown): void {
    this.failed = true;
    for (const h of this.hooks) h.finish?.(this, error);
    this.reject(error);
  }
}

/** A task's thrown value as the TaskError users see (DaskErrors pass through unchanged). */
export function asTaskError(key: Key, thrown: unknown): Error {
  if (thrown instanceof DaskError) return thrown;
  const record = encodeError(thrown, key);
  return new TaskError(key, record, thrown);
}

/** Computes `keys` of `graph` with `executor`; resolves to their values in the same order. */
export function getAsync(
  graph: Graph,
  keys: readonly Key[],
  executor: Executor,
  options: GetOptions = {},
): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => {
    const plan = planGraph(graph, keys);
    const hooks = options.hooks ?? [];
    for (const h of hooks) h.start?.(graph, keys);
    const loop = new Loop(plan, executor, hooks, resolve, reject);
    loop.pump();
  });
}
