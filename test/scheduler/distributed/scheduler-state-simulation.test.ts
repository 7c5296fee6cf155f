// A whole cluster in memory: one SchedulerState, several WorkerStates with fake data stores,
// FIFO channels between them (TCP-like), and random interleaving of deliveries, task
// completions, gathers, task failures, worker deaths and joins, and balance() calls. Both
// machines validate their invariants after every stimulus; at quiescence every wanted key must
// be resolved and the scheduler's replica map must match what the workers hold.
import { seededRandom as rng } from '../../helpers/random.js';
import { describe, expect, test } from 'vitest';
import type { Key } from '../../../src/core/graph/task.js';
import type { SchedulerToWorker, TaskSpec, WorkerToScheduler } from '../../../scheduler/distributed/protocol.js';
import { isWorkerOutgoing, SchedulerState, type Outgoing } from '../../../scheduler/distributed/scheduler-state.js';
import { WorkerState, type Instruction } from '../../../scheduler/distributed/worker-state.js';

interface SimWorker {
  readonly state: WorkerState;
  readonly store: Set<Key>;
  readonly inbox: SchedulerToWorker[];
  readonly outbox: WorkerToScheduler[];
  readonly running: Key[];
  readonly gathers: { peer: string; keys: readonly Key[] }[];
}

interface Options {
  readonly tasks: number;
  readonly failRate: number;
  readonly deaths: number;
  readonly retries: number;
  /** Chance per step that the client releases, cancels or resubmits something. */
  readonly churn?: number;
}

class Cluster {
  readonly s: SchedulerState;
  readonly wanted = new Set<Key>();
  specs: TaskSpec[] = [];
  readonly workers = new Map<string, SimWorker>();
  readonly client: { key: Key; op: string }[] = [];
  private nextId = 0;
  deathsLeft: number;
  closed = false;

  constructor(
    readonly rand: () => number,
    readonly opts: Options,
  ) {
    this.deathsLeft = opts.deaths;
    const workerSaturation = [1.1, 2, Infinity][Math.floor(rand() * 3)]!;
    this.s = new SchedulerState({ validate: true, allowedFailures: 100, workerSaturation });
    this.s.addClient('c');
  }

  addWorker(): void {
    const address = `w${this.nextId++}`;
    const nthreads = 1 + Math.floor(this.rand() * 2);
    const state = new WorkerState({ address, nthreads, validate: true, gatherBatch: 2 });
    this.workers.set(address, { state, store: new Set(), inbox: [], outbox: [], running: [], gathers: [] });
    this.route(this.s.addWorker({ address, name: address, nthreads, memoryLimit: 0, pid: 1 }, 0));
  }

  route(out: readonly Outgoing[]): void {
    for (const o of out) {
      if (isWorkerOutgoing(o)) {
        this.workers.get(o.to.id)?.inbox.push(o.msg);
      } else {
        this.client.push({ key: 'key' in o.msg ? o.msg.key : '', op: o.msg.op });
        if (o.msg.op === 'key-cancelled') this.wanted.delete(o.msg.key);
      }
    }
  }

  apply(w: SimWorker, out: readonly Instruction[]): void {
    for (const i of out) {
      if (i.kind === 'execute') w.running.push(i.key);
      else if (i.kind === 'gather') w.gathers.push({ peer: i.worker, keys: i.keys });
      else if (i.kind === 'send-scheduler') w.outbox.push(i.msg);
      else for (const k of i.keys) w.store.delete(k);
    }
    for (const [key, t] of w.state.tasks)
      if (t.state === 'memory') expect(w.store.has(key), `${key} in memory but not stored`).toBe(true);
    for (const key of w.store) expect(w.state.hasValue(key), `${key} stored but not in memory`).toBe(true);
  }

  /** Scheduler and worker states of the tasks not resolved, for failure messages. */
  dump(): string {
    const lines: string[] = [];
    for (const ts of this.s.tasks.values()) {
      if (ts.state === 'memory' || ts.state === 'erred' || ts.state === 'released') continue;
      const on = ts.processingOn?.address ?? '';
      const waits = [...ts.waitingOn].map((d) => `${d.key}:${d.state}`).join(',');
      lines.push(`scheduler ${ts.key} ${ts.state} ${on} waitingOn[${waits}]`);
    }
    for (const [address, w] of this.workers) {
      const tasks = [...w.state.tasks.values()].filter((t) => t.state !== 'memory').map((t) => `${t.key}:${t.state}`);
      lines.push(`${address} [${tasks.join(' ')}] store[${[...w.store].join(',')}]`);
    }
    lines.push(...this.log);
    return lines.join('\n');
  }

  readonly log: string[] = [];

  kill(address: string): void {
    this.log.push(`kill ${address}`);
    this.workers.delete(address);
    this.route(this.s.removeWorker(address, 'killed by the simulation'));
  }

  /** One random step; false when nothing is left to do. */
  step(): boolean {
    const actions: (() => void)[] = [];
    for (const [address, w] of this.workers) {
      if (w.inbox.length > 0)
        actions.push(() => {
          const m = w.inbox.shift()!;
          this.log.push(`${address} <- ${m.op} ${'key' in m ? m.key : m.keys.join(',')}`);
          this.apply(w, w.state.handle(m));
        });
      if (w.outbox.length > 0)
        actions.push(() => {
          const m = w.outbox.shift()!;
          this.log.push(
            `${address} -> ${m.op} ${'key' in m ? m.key : 'keys' in m ? m.keys.map((k) => (typeof k === 'string' ? k : k.key)).join(',') : ''}`,
          );
          this.route(this.s.handleWorkerMessage(address, m, 0));
        });
      if (w.running.length > 0) actions.push(() => this.finishOne(w));
      if (w.gathers.length > 0) actions.push(() => this.gatherOne(w));
    }
    if (actions.length === 0) return false;
    if (this.deathsLeft > 0 && this.rand() < 0.02) {
      this.deathsLeft -= 1;
      const victims = [...this.workers.keys()];
      this.kill(victims[Math.floor(this.rand() * victims.length)]!);
      if (this.workers.size === 0 || this.rand() < 0.5) this.addWorker();
      return true;
    }
    if (this.rand() < 0.05) this.route(this.s.balance());
    if (!this.closed && this.rand() < (this.opts.churn ?? 0)) this.churn();
    actions[Math.floor(this.rand() * actions.length)]!();
    return true;
  }

  private churn(): void {
    const keys = [...this.wanted];
    const key = keys[Math.floor(this.rand() * keys.length)];
    const r = this.rand();
    if (key !== undefined && r < 0.4) {
      this.wanted.delete(key);
      this.route(this.s.releaseKeys('c', [key]));
    } else if (key !== undefined && r < 0.6) {
      this.route(this.s.cancel('c', [key]));
    } else {
      const again = this.specs.map((t) => t.key).filter((k) => !this.wanted.has(k) && this.rand() < 0.2);
      for (const k of again) this.wanted.add(k);
      this.route(this.s.updateGraph('c', this.specs, again));
    }
  }

  private finishOne(w: SimWorker): void {
    const key = w.running.splice(Math.floor(this.rand() * w.running.length), 1)[0]!;
    if (this.rand() < this.opts.failRate) {
      this.apply(w, w.state.executeFailed(key, { name: 'Error', message: `${key} failed`, stack: '', key }));
    } else {
      w.store.add(key);
      this.apply(w, w.state.executeDone(key, 1 + key.length));
    }
  }

  private gatherOne(w: SimWorker): void {
    const { peer, keys } = w.gathers.shift()!;
    const source = this.workers.get(peer);
    if (source === undefined) return this.apply(w, w.state.gatherFailed(peer, keys));
    const got = keys.filter((k) => source.store.has(k));
    for (const k of got) w.store.add(k);
    this.apply(
      w,
      w.state.gatherDone(
        peer,
        keys,
        got.map((key) => ({ key, nbytes: 1 + key.length })),
      ),
    );
  }
}

function randomGraph(rand: () => number, n: number, retries: number): { specs: TaskSpec[]; wanted: Key[] } {
  const specs: TaskSpec[] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<Key>();
    const fanIn = i === 0 ? 0 : Math.floor(rand() * 4);
    for (let d = 0; d < fanIn; d++) deps.add(`t${Math.floor(rand() * i)}`);
    specs.push({
      key: `t${i}`,
      fn: { kind: 'source', source: '() => 1', name: '' },
      args: { header: '[]', frames: [] },
      deps: [...deps],
      retries,
    });
  }
  const used = new Set(specs.flatMap((s) => s.deps));
  const wanted = specs.map((s) => s.key).filter((k) => !used.has(k) || rand() < 0.1);
  return { specs, wanted };
}

function simulate(seed: number, opts: Options): Cluster {
  const rand = rng(seed);
  const c = new Cluster(rand, opts);
  const workers = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < workers; i++) c.addWorker();
  const { specs, wanted } = randomGraph(rand, opts.tasks * SCALE, opts.retries);
  c.deathsLeft = opts.deaths * SCALE;
  c.specs = specs;
  for (const k of wanted) c.wanted.add(k);
  c.route(c.s.updateGraph('c', specs, wanted));
  quiesce(c, seed);
  check(c, seed, opts);
  // Letting go of everything frees every value on every worker and forgets every task.
  c.closed = true;
  c.route(c.s.removeClient('c'));
  quiesce(c, seed);
  expect(c.s.tasks.size, `seed ${seed}: tasks left\n${c.dump()}`).toBe(0);
  for (const [address, w] of c.workers) expect([...w.store], `seed ${seed}: data left on ${address}`).toEqual([]);
  return c;
}

function quiesce(c: Cluster, seed: number): void {
  for (let steps = 0; c.step(); steps++) {
    if (steps > 200_000) throw new Error(`seed ${seed}: no quiescence after ${steps} steps`);
  }
}

function check(c: Cluster, seed: number, opts: Options): void {
  const wanted = [...c.wanted];
  // Every wanted key is resolved, and the client heard so last.
  for (const key of wanted) {
    const ts = c.s.tasks.get(key)!;
    expect(['memory', 'erred'], `seed ${seed}: ${key} is ${ts.state}\n${c.dump()}`).toContain(ts.state);
    if (opts.failRate === 0) expect(ts.state, `seed ${seed}: ${key}`).toBe('memory');
    const last = c.client.filter((m) => m.key === key).at(-1);
    expect(last?.op, `seed ${seed}: last news of ${key}`).toBe(ts.state === 'memory' ? 'key-in-memory' : 'task-erred');
  }
  // The scheduler's replica map is what the workers hold.
  for (const [address, w] of c.workers) {
    const held = [...c.s.workers.get(address)!.hasWhat].map((t) => t.key).sort();
    expect([...w.store].sort(), `seed ${seed}: data on ${address}`).toEqual(held);
    expect(w.state.executing.size, `seed ${seed}: ${address} still executing`).toBe(0);
  }
}

// DASK_SIM_SEEDS=3000 DASK_SIM_SCALE=3 runs a longer, harder sweep.
const SEEDS = Array.from({ length: Number(process.env.DASK_SIM_SEEDS ?? 50) }, (_, i) => i);
const SCALE = Number(process.env.DASK_SIM_SCALE ?? 1);

describe('scheduler and workers simulated together', () => {
  test.each(SEEDS.map((i) => i + 1))('seed %i: a random graph completes without failures', (seed) => {
    simulate(seed, { tasks: 25, failRate: 0, deaths: 0, retries: 0 });
  });

  test.each(SEEDS.map((i) => i + 1000))('seed %i: workers die and join, every wanted key still completes', (seed) => {
    simulate(seed, { tasks: 25, failRate: 0, deaths: 3, retries: 0 });
  });

  test.each(SEEDS.map((i) => i + 5000))('seed %i: tasks fail, some with retries, while workers die', (seed) => {
    simulate(seed, { tasks: 20, failRate: 0.15, deaths: 2, retries: seed % 2 });
  });

  test.each(SEEDS.map((i) => i + 9000))(
    'seed %i: the client releases, cancels and resubmits keys meanwhile',
    (seed) => {
      simulate(seed, { tasks: 20, failRate: 0.05, deaths: 2, retries: 1, churn: 0.02 });
    },
  );
});
