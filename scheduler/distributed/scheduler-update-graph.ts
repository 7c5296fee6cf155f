/*
 * update-graph: adding a client's tasks to the scheduler.
 *   1. Walk from the wanted keys through the submitted specs, stopping at keys the scheduler
 *      already knows (their spec is not replaced, and what they depend on is not needed again):
 *      the specs reached are the new tasks; the rest of the submission is dropped.
 *   2. Order them with planGraph (src/core/graph/plan.ts) over the new tasks, with the known keys
 *      they use as data placeholders: a cycle or a dependency nobody defines becomes a GraphError
 *      reported to the client for every wanted key, and nothing is added.
 *   3. Create the records with priority [-user priority, generation, rank] and link dependencies.
 *   4. The client wants `keys`: known keys in memory or erred are reported to it at once.
 *   5. New tasks go released->waiting in rank order (dependencies first), so root tasks reach the
 *      workers, or the queue, most urgent first; known released keys that are needed again follow.
 * Args frames are copied out of the envelope's frame list into each task's RunSpec (renumbered
 * from 0), so a compute-task carries exactly its own frames.
 */
import { GraphError } from '../../src/core/errors.js';
import { planGraph, type Plan } from '../../src/core/graph/plan.js';
import { DataNode, Task, type Graph, type Key } from '../../src/core/graph/task.js';
import { encodeError } from '../../src/core/serialize/error-codec.js';
import type { TaskSpec } from './protocol.js';
import type { SchedulerCore } from './scheduler-core.js';
import { keyInMemory, SchedulerTask, type ClientRecord, type RunSpec } from './scheduler-records.js';

const placeholder = (): undefined => undefined;

export function addGraph(
  s: SchedulerCore,
  cs: ClientRecord,
  specs: readonly TaskSpec[],
  keys: readonly Key[],
  frames: readonly Uint8Array[],
): void {
  const fresh = newSpecs(s, specs, keys);
  const plan = fresh.size === 0 ? undefined : orderNew(s, cs, fresh, keys);
  if (fresh.size > 0 && plan === undefined) return;
  const created: SchedulerTask[] = [];
  if (plan !== undefined) {
    s.generation += 1;
    plan.keys.forEach((key, rank) => {
      const spec = fresh.get(key);
      if (spec === undefined) return;
      const ts = new SchedulerTask(
        key,
        runSpec(spec, frames),
        [-(spec.priority ?? 0), s.generation, rank],
        spec.retries ?? 0,
      );
      s.tasks.set(key, ts);
      created.push(ts);
    });
    for (const ts of created) {
      for (const dep of fresh.get(ts.key)!.deps) {
        const d = s.tasks.get(dep)!;
        ts.dependencies.add(d);
        d.dependents.add(ts);
      }
    }
  }
  const isNew = new Set(created);
  const known: SchedulerTask[] = [];
  for (const key of new Set(keys)) {
    const ts = s.tasks.get(key);
    if (ts === undefined) {
      const error = new GraphError(`key ${key} is neither in the submitted graph nor known to the scheduler`, { key });
      s.tell(cs.id, { op: 'task-erred', key, error: { ...encodeError(error, key), stack: '' } });
      continue;
    }
    ts.whoWants.add(cs);
    cs.wantsWhat.add(ts);
    if (!isNew.has(ts)) known.push(ts);
  }
  for (const ts of created) s.transition(ts, 'waiting');
  for (const ts of known) tellOrRecompute(s, cs, ts);
}

function tellOrRecompute(s: SchedulerCore, cs: ClientRecord, ts: SchedulerTask): void {
  if (ts.state === 'memory') {
    s.tell(cs.id, keyInMemory(ts));
  } else if (ts.state === 'erred') {
    s.tell(cs.id, { op: 'task-erred', key: ts.key, error: ts.exception! });
  } else if (ts.state === 'released') {
    s.recommend(ts, 'waiting');
  }
}

/** The submitted specs reachable from `keys` without passing through a known key. */
function newSpecs(s: SchedulerCore, specs: readonly TaskSpec[], keys: readonly Key[]): Map<Key, TaskSpec> {
  const byKey = new Map<Key, TaskSpec>();
  for (const spec of specs) byKey.set(spec.key, spec);
  const fresh = new Map<Key, TaskSpec>();
  const stack = [...keys];
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    if (fresh.has(key) || s.tasks.has(key)) continue;
    const spec = byKey.get(key);
    if (spec === undefined) continue;
    fresh.set(key, spec);
    for (const dep of spec.deps) stack.push(dep);
  }
  return fresh;
}

/** planGraph over the new tasks; undefined (and every wanted key reported erred) on a GraphError. */
function orderNew(
  s: SchedulerCore,
  cs: ClientRecord,
  fresh: ReadonlyMap<Key, TaskSpec>,
  keys: readonly Key[],
): Plan | undefined {
  const graph: Graph = new Map();
  for (const [key, spec] of fresh) {
    const deps = [...new Set(spec.deps)];
    graph.set(key, new Task(key, placeholder, [], deps));
    for (const dep of deps) {
      if (!fresh.has(dep) && !graph.has(dep) && s.tasks.has(dep)) graph.set(dep, new DataNode(dep, undefined));
    }
  }
  try {
    return planGraph(graph, [...new Set(keys.filter((k) => fresh.has(k)))]);
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    for (const key of new Set(keys))
      s.tell(cs.id, { op: 'task-erred', key, error: { ...encodeError(e, e.key ?? key), stack: '' } });
    return undefined;
  }
}

function runSpec(spec: TaskSpec, frames: readonly Uint8Array[]): RunSpec {
  const own = spec.args.frames.map((i) => {
    const f = frames[i];
    if (f === undefined)
      throw new Error(
        `update-graph: task ${spec.key} refers to frame ${i}, which the message lacks (call checkFrameRefs first)`,
      );
    return f;
  });
  const run: RunSpec = { fn: spec.fn, args: { header: spec.args.header, frames: own.map((_, i) => i) }, frames: own };
  return spec.timeout === undefined ? run : { ...run, timeout: spec.timeout };
}
