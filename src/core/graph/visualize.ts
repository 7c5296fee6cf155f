/*
 * visualize(): a picture of a (small) task graph as Graphviz DOT or Mermaid text, drawn the way
 * dask.dot draws graphs: every Task is a function node (a circle labelled with the function's
 * name, or `lambda` for an anonymous one) with an edge into a data node (a box labelled with the
 * key); a task's dependencies are edges from their data nodes into its function node. A DataNode
 * is a box alone; an Alias is a box reached from its target's box by a dashed edge. A dependency
 * missing from the graph is drawn as a dashed box so the picture shows the hole.
 *
 * Algorithm: one pass in graph insertion order gives each key a data-node id and each Task a
 * function-node id (n0, n1, ... — labels never appear in ids, so any key is safe), a second pass
 * writes the edges. Output is deterministic for a given graph. Labels are quoted and escaped for
 * the target language: DOT escapes backslash and double quote; Mermaid uses its #code; entities.
 */
import { ValueError } from '../errors.js';
import { keyName, keyPrefix } from './keys.js';
import type { Graph, Key } from './task.js';

export interface VisualizeOptions {
  format?: 'dot' | 'mermaid';
  /** Direction of the drawing, top-to-bottom by default. */
  rankdir?: 'TB' | 'BT' | 'LR' | 'RL';
  /** The most tasks drawn; a larger graph throws (default 2,000). */
  maxNodes?: number;
}

interface Picture {
  nodes: string[];
  edges: string[];
}

type Shape = 'function' | 'data' | 'missing';

/** DOT (default) or Mermaid text for `graph`. */
export function visualize(graph: Graph, options: VisualizeOptions = {}): string {
  const format = options.format ?? 'dot';
  const rankdir = options.rankdir ?? 'TB';
  const maxNodes = options.maxNodes ?? 2000;
  if (graph.size > maxNodes) {
    throw new ValueError(
      `visualize: the graph has ${graph.size} tasks, more than maxNodes (${maxNodes}); ` +
        'visualize a smaller piece (cull the graph to a few keys first) or raise maxNodes',
    );
  }
  const node = format === 'mermaid' ? mermaidNode : dotNode;
  const edge = format === 'mermaid' ? mermaidEdge : dotEdge;
  const picture: Picture = { nodes: [], edges: [] };
  const dataId = new Map<Key, string>();
  const fnId = new Map<Key, string>();
  let next = 0;
  let hasMissing = false;
  for (const [k, n] of graph) {
    if (n.kind === 'task') {
      const id = `n${next++}`;
      fnId.set(k, id);
      picture.nodes.push(node(id, functionLabel(n.fn, n.key), 'function'));
    }
    const id = `n${next++}`;
    dataId.set(k, id);
    picture.nodes.push(node(id, k, 'data'));
  }
  const idOf = (k: Key): string => {
    let id = dataId.get(k);
    if (id === undefined) {
      id = `n${next++}`;
      dataId.set(k, id);
      picture.nodes.push(node(id, k, 'missing'));
      hasMissing = true;
    }
    return id;
  };
  for (const [k, n] of graph) {
    const target = idOf(k);
    const fn = fnId.get(k);
    if (n.kind === 'task' && fn !== undefined) {
      picture.edges.push(edge(fn, target, false));
      for (const d of n.deps) picture.edges.push(edge(idOf(d), fn, false));
    } else if (n.kind === 'alias') {
      picture.edges.push(edge(idOf(n.target), target, true));
    }
  }
  const head = format === 'mermaid' ? [`flowchart ${rankdir}`] : ['digraph {', `  graph [rankdir=${rankdir}];`];
  const tail = format !== 'mermaid' ? ['}'] : hasMissing ? ['  classDef missing stroke-dasharray: 5 5'] : [];
  return [...head, ...picture.nodes, ...picture.edges, ...tail].join('\n') + '\n';
}

/**
 * The function's name, as dask.utils.funcname gives it. An anonymous function takes the prefix of
 * a `prefix-token` key (delayed(fn, { name: 'inc' }) keys read `inc-...`), else `lambda`.
 */
function functionLabel(fn: { name: string }, key: string): string {
  const name = fn.name;
  if (name !== '' && name !== 'anonymous') return name.replace(/^bound /, '');
  const prefix = keyPrefix(key);
  return prefix !== keyName(key) ? prefix : 'lambda';
}

function dotQuote(label: string): string {
  return `"${label.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function dotNode(id: string, label: string, shape: Shape): string {
  const attrs = shape === 'function' ? 'shape=circle' : shape === 'data' ? 'shape=box' : 'shape=box, style=dashed';
  return `  ${id} [label=${dotQuote(label)}, ${attrs}];`;
}

function dotEdge(from: string, to: string, dashed: boolean): string {
  return dashed ? `  ${from} -> ${to} [style=dashed];` : `  ${from} -> ${to};`;
}

const MERMAID_ENTITIES: Record<string, string> = {
  '"': '#quot;',
  '#': '#35;',
  '<': '#lt;',
  '>': '#gt;',
  '\\': '#92;',
  '\n': ' ',
  '\r': ' ',
};

function mermaidQuote(label: string): string {
  return `"${label.replace(/["#<>\\\r\n]/g, (c) => MERMAID_ENTITIES[c] ?? c)}"`;
}

function mermaidNode(id: string, label: string, shape: Shape): string {
  const text = mermaidQuote(label);
  if (shape === 'function') return `  ${id}((${text}))`;
  return shape === 'data' ? `  ${id}[${text}]` : `  ${id}[${text}]:::missing`;
}

function mermaidEdge(from: string, to: string, dashed: boolean): string {
  return dashed ? `  ${from} -.-> ${to}` : `  ${from} --> ${to}`;
}
