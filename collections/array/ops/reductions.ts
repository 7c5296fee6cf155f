/*
 * Reductions as tree reductions (dask/array/reductions.py): every block is reduced to a partial
 * (keeping reduced axes with size 1), then partials are combined in groups of `splitEvery` along
 * the reduced axes, level by level, until one block remains along each, and finalised (mean,
 * variance, ...). The first stage reads a fused elementwise expression directly, so
 * ((x + 1) * 2 - x).mean() is one pass over each chunk. Combining is elementwise over
 * equally-shaped partials, so the order within a group does not matter (argmin/argmax partials
 * carry global indices). Dtypes follow NumPy, with int64 results given as float64 (exact to 2^53).
 */
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../src/core/graph/task.js';
import { blockIndices } from '../blocks.js';
import { ArrayExpr } from '../array-expr.js';
import { isFloat, type DType } from '../dtype.js';
import { reshapeChunk } from '../kernels/copy.js';
import { combinePartials, finalizePartial, reduceChunk, type ReduceOp, type ReduceSpec } from '../kernels/reduce.js';
import { offsetsOf } from '../normalize-chunks.js';
import { astype, gatherOperands } from './elementwise.js';
import { operandBlock, unifyChunks } from './broadcast.js';
import { reshape } from './shape.js';

export interface ReductionOptions {
  axis?: number | readonly number[] | undefined;
  keepdims?: boolean;
  /** Partials combined per step of the tree (per reduced axis); 4 by default. */
  splitEvery?: number;
  /** Delta degrees of freedom for var and std (NumPy's default 0). */
  ddof?: number;
}

export interface ArgReductionOptions {
  axis?: number;
  keepdims?: boolean;
  splitEvery?: number;
}

export type ReductionKind = 'sum' | 'prod' | 'min' | 'max' | 'any' | 'all' | 'mean' | 'var' | 'std';

/** Axes as sorted non-negative numbers, with NumPy's error for an axis out of range. */
export function normalizeAxes(axis: number | readonly number[] | undefined, ndim: number): number[] {
  const list = axis === undefined ? [...Array(ndim).keys()] : typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a >= ndim || a < -ndim)
      throw new ValueError(`axis ${a} is out of bounds for array of dimension ${ndim}`);
    return a < 0 ? a + ndim : a;
  });
  if (new Set(out).size !== out.length) throw new ValueError(`duplicate value in 'axis': ${JSON.stringify(axis)}`);
  return out.sort((a, b) => a - b);
}

function resultDtype(kind: ReductionKind, dtype: DType): DType {
  switch (kind) {
    case 'any':
    case 'all':
      return 'bool';
    case 'min':
    case 'max':
      return dtype;
    case 'sum':
    case 'prod':
      return isFloat(dtype) ? dtype : 'float64';
    default:
      return dtype === 'float32' ? 'float32' : 'float64';
  }
}

const OPS: Record<ReductionKind, ReduceOp> = {
  sum: 'sum',
  prod: 'prod',
  min: 'min',
  max: 'max',
  any: 'any',
  all: 'all',
  mean: 'moment',
  var: 'moment',
  std: 'moment',
};

interface TreeInput {
  readonly kindName: string;
  readonly x: ArrayExpr;
  readonly axes: readonly number[];
  readonly spec: ReduceSpec;
  readonly keepdims: boolean;
  readonly splitEvery: number;
  readonly outDtype: DType;
  readonly finalSpec: Record<string, unknown>;
  /** Per first-stage block, a spec override (argmin/argmax offsets). */
  readonly blockSpec?: (idx: readonly number[]) => ReduceSpec;
}

function splitEveryOf(value: number | undefined): number {
  const s = value ?? 4;
  if (!Number.isInteger(s) || s < 2) throw new ValueError(`splitEvery must be an integer of at least 2, got ${s}`);
  return s;
}

/** Builds stage 1, the combine tree and the finalisation; returns the reduced array. */
function treeReduce(t: TreeInput): ArrayExpr {
  const { x, axes } = t;
  const { exprs, inputs } = gatherOperands([x]);
  const { arrays, chunks } = unifyChunks(inputs);
  const spec: ReduceSpec = { ...t.spec, expr: exprs[0]!, inputDtypes: arrays.map((a) => a.dtype) };
  const token = uniqueToken();
  const tasks: Task[] = [];
  let level = `${t.kindName}-partial-${token}`;
  let grid = chunks.map((c) => c.length);
  for (const idx of blockIndices(grid)) {
    const refs = arrays.map((a) => new TaskRef(key(a.name, ...operandBlock(a, idx))));
    const blockSpec =
      t.blockSpec === undefined ? spec : { ...t.blockSpec(idx), expr: spec.expr, inputDtypes: spec.inputDtypes };
    tasks.push(new Task(key(level, ...idx), reduceChunk, [blockSpec, ...refs]));
  }
  let depth = 0;
  while (axes.some((a) => grid[a]! > 1)) {
    const next = grid.map((n, a) => (axes.includes(a) ? Math.ceil(n / t.splitEvery) : n));
    const name = `${t.kindName}-combine-${depth++}-${token}`;
    for (const idx of blockIndices(next)) {
      const ranges = idx.map((i, a) =>
        axes.includes(a) ? [i * t.splitEvery, Math.min(grid[a]!, (i + 1) * t.splitEvery)] : [i, i + 1],
      );
      const refs = [...blockIndices(ranges.map(([lo, hi]) => hi! - lo!))].map(
        (off) => new TaskRef(key(level, ...off.map((o, a) => o + ranges[a]![0]!))),
      );
      tasks.push(new Task(key(name, ...idx), combinePartials, [spec, refs]));
    }
    level = name;
    grid = next;
  }
  const outName = `${t.kindName}-${token}`;
  const outChunks = chunks.flatMap((c, a) => (axes.includes(a) ? (t.keepdims ? [[1]] : []) : [c]));
  for (const idx of blockIndices(grid)) {
    const outIdx = idx.filter((_, a) => t.keepdims || !axes.includes(a));
    const final = new Task(key(outName, ...outIdx), finalizePartial, [t.finalSpec, new TaskRef(key(level, ...idx))]);
    if (t.keepdims) tasks.push(final);
    else {
      const shape = outIdx.map((b, i) => outChunks[i]![b]!);
      tasks.push(new Task(final.key, reshapeChunk, [final, shape]));
    }
  }
  const layer = new MaterializedLayer(
    outName,
    tasks,
    arrays.map((a) => a.name),
  );
  return new ArrayExpr(
    HighLevelGraph.fromLayer(
      layer,
      arrays.map((a) => a.graph),
    ),
    outName,
    outChunks,
    t.outDtype,
  );
}

export function reduction(kind: ReductionKind, x: ArrayExpr, options: ReductionOptions = {}): ArrayExpr {
  const axes = normalizeAxes(options.axis, x.ndim);
  const ddof = options.ddof ?? 0;
  const outDtype = resultDtype(kind, x.dtype);
  // a mean needs only the first moment: skip the sum of squared deviations
  const spec: ReduceSpec = {
    op: OPS[kind],
    axes,
    expr: { op: 'input', index: 0 },
    inputDtypes: [x.dtype],
    accDtype: 'float64',
    ...(kind === 'mean' ? { order: 1 as const } : {}),
  };
  const finalSpec = { ...spec, kind, ddof, outDtype };
  if (axes.length === 0) return astype(x, outDtype);
  return treeReduce({
    kindName: kind,
    x,
    axes,
    spec,
    keepdims: options.keepdims ?? false,
    splitEvery: splitEveryOf(options.splitEvery),
    outDtype,
    finalSpec,
  });
}

export function argReduction(kind: 'argmin' | 'argmax', x: ArrayExpr, options: ArgReductionOptions = {}): ArrayExpr {
  if (options.axis === undefined && x.ndim !== 1) {
    const flat = reshape(x, [x.size]);
    const r = argReduction(kind, flat, { ...options, axis: 0, keepdims: false });
    return options.keepdims === true
      ? reshape(
          r,
          x.shape.map(() => 1),
        )
      : r;
  }
  const [axis] = normalizeAxes(options.axis ?? 0, x.ndim);
  if (x.size >= 2 ** 31)
    throw new ValueError(`${kind} gives int32 indices; the array has ${x.size} elements, more than int32 holds`);
  const offsets = offsetsOf(x.chunks[axis!]!);
  const base: ReduceSpec = {
    op: kind,
    axes: [axis!],
    expr: { op: 'input', index: 0 },
    inputDtypes: [x.dtype],
    accDtype: 'float64',
  };
  const blockSpec = (idx: readonly number[]): ReduceSpec => ({ ...base, argOffset: [offsets[idx[axis!]!]!] });
  const finalSpec = { ...base, kind, outDtype: 'int32' };
  return treeReduce({
    kindName: kind,
    x,
    axes: [axis!],
    spec: base,
    keepdims: options.keepdims ?? false,
    splitEvery: splitEveryOf(options.splitEvery),
    outDtype: 'int32',
    finalSpec,
    blockSpec,
  });
}
