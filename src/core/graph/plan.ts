/*
 * planGraph: validation and ordering in one pass, producing the integer-indexed form schedulers run.
 *
 * Walk depth-first from the requested keys (iteratively, so chains of any length are fine),
 * visiting each task's dependencies in the order they appear in its args. A node gets its rank
 * when the walk leaves it (post-order). Post-order is a topological order (every dependency comes
 * before its dependents), and it is also Dask's memory-friendly priority: running the ready task
 * with the smallest rank finishes one branch, and frees its intermediates, before starting the
 * next. Only nodes reachable from the requested keys are visited, so the plan is also culled.
 *
 * Nodes are numbered in discovery order as the walk first meets them, with the number kept on
 * the node itself (planEpoch/planId, see task.ts) rather than in a Map: one graph.get per edge is
 * the only hash lookup. A node is NEW, OPEN (on the walk's stack) or DONE. Reaching an OPEN node
 * again means a cycle, and the stack from that node up is its path. A dependency absent from the
 * graph is reported with the task that needs it.
 *
 * The result is in rank order, with dependencies and dependents as CSR arrays (offsets + one flat
 * Int32Array): 8 bytes per edge instead of an array object per node. The dependencies of rank r,
 * deps[depStart[r] ..], are in the order of nodes[r].deps, so a scheduler finds a dependency's
 * value by its position, without a key lookup.
 */
import { GraphError } from '../errors.js';
import type { Graph, GraphNode, Key } from './task.js';

export interface Plan {
  /** Rank → key, in priority order (a topological order). */
  readonly keys: readonly Key[];
  /** Rank → node. */
  readonly nodes: readonly GraphNode[];
  /** Dependencies of rank r are deps[depStart[r] .. depStart[r+1]), in nodes[r].deps order. */
  readonly depStart: Int32Array;
  readonly deps: Int32Array;
  /** Dependents of rank r are dependents[dependentStart[r] .. dependentStart[r+1]). */
  readonly dependentStart: Int32Array;
  readonly dependents: Int32Array;
  /** Ranks of the requested keys, in the order requested. */
  readonly outputs: Int32Array;
}

const NEW = 0;
const OPEN = 1;
const DONE = 2;

let epoch = 0;

/** Growable Int32 storage for the walk. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
}

export function planGraph(graph: Graph, outputs: readonly Key[]): Plan {
  epoch = epoch >= 0x3fffffff ? 1 : epoch + 1;
  const walk = new Walk(graph, epoch);
  for (const out of outputs) {
    const root = graph.get(out);
    if (root === undefined)
      throw new GraphError(`key ${out} is not in the graph; compute only keys the graph defines`, { key: out });
    walk.run(walk.idOf(root));
  }
  return walk.toPlan(outputs.map((k) => walk.idOf(graph.get(k)!)));
}

class Walk {
  /** By discovery id. */
  readonly nodes: GraphNode[] = [];
  readonly state: IntList;
  readonly rank: IntList;
  /** Discovery ids of each node's dependencies, filled when the node is first expanded. */
  readonly depStartById: IntList;
  readonly depIds: IntList;
  readonly order: number[] = [];
  constructor(
    private readonly graph: Graph,
    private readonly epoch: number,
  ) {
    const n = graph.size;
    this.state = new IntList(n);
    this.rank = new IntList(n);
    this.depStartById = new IntList(n);
    this.depIds = new IntList(n * 2);
  }

  idOf(node: GraphNode): number {
    if (node.planEpoch === this.epoch) return node.planId;
    const id = this.nodes.length;
    node.planEpoch = this.epoch;
    node.planId = id;
    this.nodes.push(node);
    this.state.push(NEW);
    this.rank.push(-1);
    this.depStartById.push(-1);
    return id;
  }

  /** Records node `id`'s dependencies as discovery ids (once) and returns where they start. */
  private expand(id: number): number {
    const node = this.nodes[id]!;
    const start = this.depIds.length;
    this.depStartById.data[id] = start;
    for (const d of node.deps) {
      const child = this.graph.get(d);
      if (child === undefined) throw missingDependency(node.key, d);
      this.depIds.push(this.idOf(child));
    }
    return start;
  }

  run(rootId: number): void {
    if (this.state.data[rootId] !== NEW) return;
    const stack: number[] = [rootId];
    const pos: number[] = [0];
    this.state.data[rootId] = OPEN;
    const starts: number[] = [this.expand(rootId)];
    while (stack.length > 0) {
      const top = stack.length - 1;
      const id = stack[top]!;
      const p = pos[top]!;
      if (p < this.nodes[id]!.deps.length) {
        pos[top] = p + 1;
        const child = this.depIds.data[starts[top]! + p]!;
        const st = this.state.data[child];
        if (st === NEW) {
          this.state.data[child] = OPEN;
          stack.push(child);
          pos.push(0);
          starts.push(this.expand(child));
        } else if (st === OPEN) {
          throw cycleError(
            stack.map((i) => this.nodes[i]!),
            this.nodes[child]!.key,
          );
        }
      } else {
        stack.pop();
        pos.pop();
        starts.pop();
        this.state.data[id] = DONE;
        this.rank.data[id] = this.order.length;
        this.order.push(id);
      }
    }
  }

  toPlan(outputIds: readonly number[]): Plan {
    const n = this.order.length;
    const rank = this.rank.data;
    const keys: Key[] = new Array<Key>(n);
    const nodes: GraphNode[] = new Array<GraphNode>(n);
    const depStart = new Int32Array(n + 1);
    const deps = new Int32Array(this.depIds.length);
    const dependentCount = new Int32Array(n + 1);
    let e = 0;
    for (let r = 0; r < n; r++) {
      const id = this.order[r]!;
      const node = this.nodes[id]!;
      keys[r] = node.key;
      nodes[r] = node;
      depStart[r] = e;
      const s = this.depStartById.data[id]!;
      for (let k = 0; k < node.deps.length; k++) {
        const dr = rank[this.depIds.data[s + k]!]!;
        deps[e++] = dr;
        dependentCount[dr + 1]! += 1;
      }
    }
    depStart[n] = e;
    const dependentStart = new Int32Array(n + 1);
    for (let r = 0; r < n; r++) dependentStart[r + 1] = dependentStart[r]! + dependentCount[r + 1]!;
    const fill = dependentStart.slice(0, n);
    const dependents = new Int32Array(e);
    for (let r = 0; r < n; r++) {
      for (let k = depStart[r]!; k < depStart[r + 1]!; k++) dependents[fill[deps[k]!]!++] = r;
    }
    const outputs = Int32Array.from(outputIds, (id) => rank[id]!);
    return { keys, nodes, depStart, deps: deps.subarray(0, e), dependentStart, dependents, outputs };
  }
}

/** Rank of every key of a plan (for tests and order(); schedulers work by position instead). */
export function planRanks(plan: Plan): Map<Key, number> {
  const ranks = new Map<Key, number>();
  plan.keys.forEach((k, r) => ranks.set(k, r));
  return ranks;
}

function missingDependency(dependent: Key, missing: Key): GraphError {
  return new GraphError(
    `task ${dependent} depends on ${missing}, which is not in the graph; add a task for ${missing} or remove the reference`,
    { key: missing },
  );
}

function cycleError(stack: readonly GraphNode[], repeated: Key): GraphError {
  const start = stack.findIndex((n) => n.key === repeated);
  const path = [...stack.slice(start).map((n) => n.key), repeated];
  return new GraphError(`the graph has a cycle: ${path.join(' -> ')}`, { cycle: path });
}
