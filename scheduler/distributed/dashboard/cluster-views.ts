/*
 * Read-only views of the scheduler's state for the dashboard: the workers (a few fields each)
 * and the current graph (nodes and dependency edges, only up to a size limit). They read the
 * SchedulerState's maps and never change them.
 */
import { keyPrefix } from '../../../src/core/graph/keys.js';
import type { SchedulerState } from '../scheduler-state.js';
import type { GraphNode, GraphView, WorkerView } from './dashboard-types.js';

export function workerViews(state: SchedulerState): WorkerView[] {
  const out: WorkerView[] = [];
  for (const ws of state.workers.values()) {
    out.push({
      address: ws.info.address,
      name: ws.info.name,
      nthreads: ws.nthreads,
      memoryLimit: ws.info.memoryLimit,
      memory: Math.max(ws.nbytes, ws.metrics.memory),
      processing: ws.processing.size,
      executing: ws.metrics.executing,
      inMemory: ws.hasWhat.size,
      pid: ws.info.pid,
      ...(ws.metrics.cpu !== undefined ? { cpu: ws.metrics.cpu } : {}),
      ...(ws.metrics.spilled !== undefined ? { spilled: ws.metrics.spilled } : {}),
      lastSeen: ws.lastSeen,
    });
  }
  return out;
}

/** The tasks the scheduler knows and their dependencies; 'too-large' past `limit` tasks. */
export function graphView(state: SchedulerState, limit: number): GraphView {
  if (state.tasks.size > limit) return { kind: 'too-large', tasks: state.tasks.size, limit };
  const index = new Map<string, number>();
  const nodes: GraphNode[] = [];
  for (const ts of state.tasks.values()) {
    if (ts.state === 'forgotten') continue;
    index.set(ts.key, nodes.length);
    nodes.push({ key: ts.key, prefix: keyPrefix(ts.key), state: ts.state });
  }
  const edges: [number, number][] = [];
  for (const ts of state.tasks.values()) {
    const b = index.get(ts.key);
    if (b === undefined) continue;
    for (const dep of ts.dependencies) {
      const a = index.get(dep.key);
      if (a !== undefined) edges.push([a, b]);
    }
  }
  return { kind: 'graph', nodes, edges };
}
