/*
 * series.sum() / mean / min / max / count / std / var / nunique: a Scalar computed by a tree
 * reduction (kernels/reduce.ts): one partial per partition, combined `splitEvery` (8) at a time.
 * std and var use ddof 1 by default, as pandas does. Only the columns the expression reads are
 * needed from the input, which the optimiser passes down to the readers.
 */
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../src/core/graph/task.js';
import { DTypeError } from '../errors.js';
import { exprColumns } from '../expr.js';
import type { Meta } from '../dtype.js';
import { reduceCombine, reduceFinalize, reducePartial, type ReduceKind, type ReduceSpec } from '../kernels/reduce.js';
import { PlanNode, type Columns, type LowerContext } from '../plan/plan-node.js';
import { lowerTree, splitEveryOf } from '../plan/tree-reduce.js';
import { Scalar } from '../scalar.js';
import type { Series } from '../series.js';

export interface ReduceOptions {
  /** Partials combined per step of the tree; 8 by default. */
  splitEvery?: number;
  /** Delta degrees of freedom of std and var; 1 by default (pandas). */
  ddof?: number;
}

export class ReduceNode extends PlanNode {
  readonly kind = 'reduce';
  readonly inputs: readonly PlanNode[];
  readonly meta: Meta = [];
  readonly npartitions = 1;
  constructor(
    readonly input: PlanNode,
    readonly spec: ReduceSpec,
    readonly splitEvery: number,
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
  }
  override inputColumns(): Columns[] {
    return [exprColumns(this.spec.expr)];
  }
  withInputs(inputs: readonly PlanNode[]): PlanNode {
    return new ReduceNode(inputs[0]!, this.spec, this.splitEvery, this.token);
  }
  lower(ctx: LowerContext): void {
    const inKeys = ctx.keys(this.input);
    const leaves = inKeys.map((k, i) => {
      const pk = key(`${this.name}-partial`, i);
      ctx.graph.set(pk, new Task(pk, reducePartial, [this.spec, new TaskRef(k)]));
      return pk;
    });
    lowerTree(ctx.graph, {
      name: this.name,
      out: key(this.name, 0),
      leaves,
      combine: reduceCombine,
      finalize: reduceFinalize,
      spec: this.spec,
      splitEvery: this.splitEvery,
    });
  }
}

const NUMERIC_ONLY = new Set<ReduceKind>(['sum', 'mean', 'std', 'var']);

export function seriesReduce(s: Series, kind: ReduceKind, options: ReduceOptions = {}): Scalar {
  if (s.dtype === 'string' && NUMERIC_ONLY.has(kind))
    throw new DTypeError(`${kind}: column '${s.name}' holds strings; ${kind} needs numbers`, s.name, s.dtype);
  const spec: ReduceSpec = { expr: s.expr, kind, ddof: options.ddof ?? 1 };
  return new Scalar(new ReduceNode(s.frame, spec, splitEveryOf(options.splitEvery)));
}
