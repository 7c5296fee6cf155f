/*
 * Elementwise operations with blockwise fusion. An operation's result is an array whose block
 * (i, j) is one `elementwise` kernel call on the operands' matching blocks. Operands that were
 * themselves made elementwise contribute their expression instead of their blocks (see
 * ArrayExpr.fused), so a chain of any length is one task per block and one pass over memory.
 * Fusion stops at MAX_FUSED_NODES expression nodes, where the result becomes a plain input.
 * Output dtypes follow NumPy (dtype.ts); numbers are constants with value-based casting.
 */
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph } from '../../../src/core/graph/high-level-graph.js';
import { key } from '../../../src/core/graph/keys.js';
import { Task, TaskRef, type GraphNode } from '../../../src/core/graph/task.js';
import { tokenize } from '../../../src/core/graph/tokenize.js';
import { blockIndices } from '../blocks.js';
import { ArrayExpr, type Operand } from '../array-expr.js';
import { checkDType, divisionType, isFloat, resultType, scalarResultType, type DType } from '../dtype.js';
import {
  elementwise as elementwiseKernel,
  exprKey,
  type BinaryOp,
  type ElementwiseSpec,
  type Expr,
  type UnaryOp,
} from '../kernels/elementwise.js';
import { LazyLayer } from '../lazy-layer.js';
import { operandBlock, unifyChunks } from './broadcast.js';

const MAX_FUSED_NODES = 64;
const COMPARISONS = new Set<BinaryOp>(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or']);
const FLOAT_UNARY = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'floor', 'ceil']);

function countNodes(e: Expr): number {
  switch (e.op) {
    case 'input':
    case 'const':
      return 1;
    case 'where':
      return 1 + countNodes(e.cond) + countNodes(e.a) + countNodes(e.b);
    default:
      return 'b' in e ? 1 + countNodes(e.a) + countNodes(e.b) : 1 + countNodes(e.a);
  }
}

function remap(e: Expr, map: readonly number[]): Expr {
  switch (e.op) {
    case 'input':
      return { op: 'input', index: map[e.index]! };
    case 'const':
      return e;
    case 'where':
      return { op: 'where', cond: remap(e.cond, map), a: remap(e.a, map), b: remap(e.b, map) };
    case 'cast':
      return { op: 'cast', dtype: e.dtype, a: remap(e.a, map) };
    default:
      return 'b' in e ? { op: e.op, a: remap(e.a, map), b: remap(e.b, map) } : { op: e.op, a: remap(e.a, map) };
  }
}

/** Leaf arrays and an expression over them for `operands` (arrays or numbers). */
export function gatherOperands(operands: readonly Operand[]): { exprs: Expr[]; inputs: ArrayExpr[] } {
  const inputs: ArrayExpr[] = [];
  const slot = (a: ArrayExpr): number => {
    const found = inputs.findIndex((i) => i.name === a.name);
    if (found >= 0) return found;
    inputs.push(a);
    return inputs.length - 1;
  };
  const exprs = operands.map((o): Expr => {
    if (typeof o === 'number' || typeof o === 'boolean') return { op: 'const', value: Number(o) };
    if (o.fused !== undefined) return remap(o.fused.expr, o.fused.inputs.map(slot));
    return { op: 'input', index: slot(o) };
  });
  return { exprs, inputs };
}

/** The array computing `expr` over `inputs` block by block. */
export function elementwiseArray(prefix: string, expr: Expr, inputs: readonly ArrayExpr[], outDtype: DType): ArrayExpr {
  const { arrays, chunks } = unifyChunks(inputs);
  const spec: ElementwiseSpec = { expr, inputDtypes: arrays.map((a) => a.dtype), outDtype };
  const name = `${prefix}-${tokenize(exprKey(expr), outDtype, ...arrays.map((a) => a.name))}`;
  const numblocks = chunks.map((c) => c.length);
  const keys = function* (): Generator<string> {
    for (const idx of blockIndices(numblocks)) yield key(name, ...idx);
  };
  const build = function* (): Generator<GraphNode> {
    for (const idx of blockIndices(numblocks)) {
      const refs = arrays.map((a) => new TaskRef(key(a.name, ...operandBlock(a, idx))));
      yield new Task(key(name, ...idx), elementwiseKernel, [spec, ...refs]);
    }
  };
  const layer = new LazyLayer(
    name,
    arrays.map((a) => a.name),
    keys,
    build,
  );
  const graph = HighLevelGraph.fromLayer(
    layer,
    arrays.map((a) => a.graph),
  );
  const fused = countNodes(expr) <= MAX_FUSED_NODES ? { expr, inputs: arrays } : undefined;
  return new ArrayExpr(graph, name, chunks, outDtype, fused);
}

function operandDtype(o: Operand): DType | number | boolean {
  return typeof o === 'number' || typeof o === 'boolean' ? o : o.dtype;
}

function pairType(a: DType | number | boolean, b: DType | number | boolean): DType {
  if (typeof a === 'string' && typeof b === 'string') return resultType(a, b);
  if (typeof a === 'string') return scalarResultType(a, b as number | boolean);
  if (typeof b === 'string') return scalarResultType(b, a);
  return Number.isInteger(a) && Number.isInteger(b) ? 'int32' : 'float64';
}

function binaryDtype(op: BinaryOp, x: Operand, y: Operand): DType {
  if (COMPARISONS.has(op)) return 'bool';
  const t = pairType(operandDtype(x), operandDtype(y));
  if (op === 'div') return divisionType(t);
  if (t === 'bool' && op !== 'maximum' && op !== 'minimum' && op !== 'mul') return op === 'add' ? 'bool' : 'int32';
  return t;
}

export function binary(op: BinaryOp, x: Operand, y: Operand): ArrayExpr {
  if (!ArrayExpr.isExpr(x) && !ArrayExpr.isExpr(y))
    throw new ValueError(`${op} needs at least one dask-ts array operand`);
  for (const o of [x, y]) {
    if (!ArrayExpr.isExpr(o) && typeof o !== 'number' && typeof o !== 'boolean') {
      throw new ValueError(
        `${op}: operands must be arrays or numbers, got ${typeof o}; wrap data with da.fromArray(...)`,
      );
    }
  }
  const { exprs, inputs } = gatherOperands([x, y]);
  return elementwiseArray(op, { op, a: exprs[0]!, b: exprs[1]! }, inputs, binaryDtype(op, x, y));
}

export function unary(op: UnaryOp, x: ArrayExpr): ArrayExpr {
  const { exprs, inputs } = gatherOperands([x]);
  let dtype: DType = x.dtype;
  if (op === 'not' || op === 'isnan') dtype = 'bool';
  else if (FLOAT_UNARY.has(op)) dtype = isFloat(x.dtype) ? x.dtype : 'float64';
  return elementwiseArray(op, { op, a: exprs[0]! }, inputs, dtype);
}

export function astype(x: ArrayExpr, dtype: DType): ArrayExpr {
  const to = checkDType(dtype);
  if (to === x.dtype) return x;
  const { exprs, inputs } = gatherOperands([x]);
  return elementwiseArray('astype', { op: 'cast', dtype: to, a: exprs[0]! }, inputs, to);
}

/** da.where(cond, a, b): elements of a where cond is true, else of b. */
export function where(cond: Operand, a: Operand, b: Operand): ArrayExpr {
  if (![cond, a, b].some((o) => ArrayExpr.isExpr(o)))
    throw new ValueError('where needs at least one dask-ts array operand');
  const { exprs, inputs } = gatherOperands([cond, a, b]);
  const dtype = pairType(operandDtype(a), operandDtype(b));
  return elementwiseArray('where', { op: 'where', cond: exprs[0]!, a: exprs[1]!, b: exprs[2]! }, inputs, dtype);
}

export function maximum(a: Operand, b: Operand): ArrayExpr {
  return binary('maximum', a, b);
}

export function minimum(a: Operand, b: Operand): ArrayExpr {
  return binary('minimum', a, b);
}
