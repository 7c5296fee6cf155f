/*
 * A materialised graph as update-graph TaskSpecs (the client side of update-graph):
 *   Task      fn by reference (fnRefOf: module export or checked source), args through frames.ts
 *             with TaskRefs and inline Tasks as graph codecs
 *   DataNode  an identity task over its value (the value travels in the message's frames)
 *   Alias     an identity task over a TaskRef to its target
 * `futureKey` recognises the client's Futures wherever they appear (a DataNode's value, anything in
 * args): a Future stands for the key it names, as a TaskRef, so persisted or scattered data is
 * used where it lives. A DataNode holding the Future of its own key is not sent at all (the
 * scheduler already has that key). Every value's frames are appended to one frame list, which
 * the EncodedValues index.
 */
import {
  DataNode,
  Task,
  TaskRef,
  type Alias,
  type Graph,
  type GraphNode,
  type Key,
} from '../../src/core/graph/task.js';
import { mapLeaves } from '../../src/core/graph/map-leaves.js';
import { encodeValue } from './encoded-value.js';
import { fnRefOf, type FnRef } from '../../src/core/serialize/fn-ref.js';
import { ensureGraphCodecs } from './graph-codecs.js';
import type { TaskSpec } from './protocol.js';

const noop = (): undefined => undefined;

export const IDENTITY: FnRef = Object.freeze({ kind: 'source', source: '(x) => x', name: 'identity' });

export interface SpecsOut {
  readonly tasks: TaskSpec[];
  readonly frames: Uint8Array[];
}

export interface SpecOptions {
  /** The key a value stands for when it is a Future, else undefined. */
  readonly futureKey?: (value: unknown) => Key | undefined;
  readonly retries?: number;
  readonly priority?: number;
  readonly timeout?: number;
}

/** TaskSpecs for every node of `graph`. Throws SerializationError for a function or value that cannot travel. */
export function graphToSpecs(graph: Graph, options: SpecOptions = {}): SpecsOut {
  ensureGraphCodecs();
  const out: SpecsOut = { tasks: [], frames: [] };
  for (const node of graph.values()) addNode(out, node, options);
  return out;
}

function addNode(out: SpecsOut, node: GraphNode, options: SpecOptions): void {
  const futureKey = options.futureKey ?? ((): undefined => undefined);
  let fn: FnRef;
  let args: readonly unknown[];
  let deps: readonly Key[];
  if (node instanceof Task) {
    fn = fnRefOf(node.fn);
    args = node.args;
    deps = node.deps;
    const replaced = replaceFutures(args, futureKey);
    if (replaced !== args) {
      const rebuilt = new Task(node.key, node.fn, replaced as unknown[]);
      args = rebuilt.args;
      deps = rebuilt.deps;
    }
  } else if (node instanceof DataNode) {
    const k = futureKey(node.value);
    if (k === node.key) return;
    fn = IDENTITY;
    if (k !== undefined) {
      args = [new TaskRef(k)];
      deps = [k];
    } else {
      args = [replaceFutures(node.value, futureKey)];
      deps = args[0] === node.value ? [] : new Task(node.key, noop, args).deps;
    }
  } else {
    const alias: Alias = node;
    fn = IDENTITY;
    args = [new TaskRef(alias.target)];
    deps = alias.deps;
  }
  out.tasks.push({
    key: node.key,
    fn,
    args: encodeValue(out.frames, args),
    deps,
    ...(options.retries !== undefined && options.retries > 0 ? { retries: options.retries } : {}),
    ...(options.priority !== undefined && options.priority !== 0 ? { priority: options.priority } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
}

/** `value` with every Future replaced by a TaskRef to its key, inline Tasks' args included (the same object when there is none). */
export function replaceFutures(value: unknown, futureKey: (v: unknown) => Key | undefined): unknown {
  return mapLeaves(value, (v) => {
    const k = futureKey(v);
    if (k !== undefined) return new TaskRef(k);
    if (!(v instanceof Task)) return v;
    const args = replaceFutures(v.args, futureKey);
    return args === v.args ? v : new Task(v.key, v.fn, args as unknown[]);
  });
}
