/*
 * series.sum() / mean / min / max / count / std / var / nunique: the plan of a Scalar, a tree
 * reduction (plan/nodes/reduce.ts) combining `splitEvery` (8) partials at a time. std and var use
 * ddof 1 by default, as pandas does; the numeric ones refuse a string column.
 */
import { DTypeError } from '../errors.js';
import type { ReduceKind, ReduceSpec } from '../kernels/reduce.js';
import { ReduceNode } from '../plan/nodes/reduce.js';
import { splitEveryOf } from '../plan/tree-reduce.js';
import type { Series } from '../series.js';

export interface ReduceOptions {
  /** Partials combined per step of the tree; 8 by default. */
  splitEvery?: number;
  /** Delta degrees of freedom of std and var; 1 by default (pandas). */
  ddof?: number;
}

const NUMERIC_ONLY = new Set<ReduceKind>(['sum', 'mean', 'std', 'var']);

export function reduce(s: Series, kind: ReduceKind, options: ReduceOptions = {}): ReduceNode {
  if (s.dtype === 'string' && NUMERIC_ONLY.has(kind))
    throw new DTypeError(`${kind}: column '${s.name}' holds strings; ${kind} needs numbers`, s.name, s.dtype);
  const spec: ReduceSpec = { expr: s.expr, kind, ddof: options.ddof ?? 1 };
  return new ReduceNode(s.frame, spec, splitEveryOf(options.splitEvery));
}
