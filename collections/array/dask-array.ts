/*
 * DaskArray: the user-facing lazy n-dimensional array. It wraps one ArrayExpr (array-expr.ts: the
 * graph, name, chunks, dtype and fused elementwise expression) and adds the collection protocol
 * (compute, persist, visualize). Methods are thin: each unwraps its DaskArray arguments, calls one
 * operation in ops/ on the expressions and wraps the result, `return wrap(op(this.expr, ...), this)`.
 * The operations never see this class, so nothing in ops/ imports it.
 */
import type ndarray from 'ndarray';
import {
  COLLECTION,
  computeAll,
  persistAll,
  type ComputeOptions,
  type DaskCollection,
  type KeyTree,
} from '../../src/core/compute.js';
import type { HighLevelGraph } from '../../src/core/graph/high-level-graph.js';
import { cull } from '../../src/core/graph/cull.js';
import { fuse } from '../../src/core/graph/fuse.js';
import type { Graph, Key } from '../../src/core/graph/task.js';
import { visualize, type VisualizeOptions } from '../../src/core/graph/visualize.js';
import type { ArrayExpr, Operand as ExprOperand } from './array-expr.js';
import { flattenNested, nestedKeys } from './blocks.js';
import type { Chunk } from './chunk.js';
import type { DType } from './dtype.js';
import { assembleBlocks } from './kernels/copy.js';
import * as ops from './ops/index.js';

const ARRAY = Symbol.for('dask-ts/Array');

export type Operand = DaskArray | number | boolean;

/** The DaskArray over `expr`; `self` itself when an operation handed self's expression back. */
export function wrap(expr: ArrayExpr, self?: DaskArray): DaskArray {
  return self !== undefined && self.expr === expr ? self : new DaskArray(expr);
}

/**
 * The expression of a DaskArray (from any copy of this package); numbers, and anything else
 * for the operation to refuse with its own message, pass through as they are.
 */
export function unwrap(x: DaskArray): ArrayExpr;
export function unwrap(x: Operand): ExprOperand;
export function unwrap(x: Operand): ExprOperand {
  return DaskArray.isArray(x) ? x.expr : x;
}

export class DaskArray implements DaskCollection<Chunk | number> {
  /** Persisting stores chunk values in DataNodes unread, so a Client can keep them on the cluster. */
  readonly __daskPersistsOpaque = true;
  get [COLLECTION](): true {
    return true;
  }
  get [ARRAY](): true {
    return true;
  }

  constructor(readonly expr: ArrayExpr) {}

  /** True for a DaskArray from any copy of this package (realm-safe). */
  static isArray(value: unknown): value is DaskArray {
    return typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[ARRAY] === true;
  }

  get graph(): HighLevelGraph {
    return this.expr.graph;
  }
  get name(): string {
    return this.expr.name;
  }
  get chunks(): readonly (readonly number[])[] {
    return this.expr.chunks;
  }
  get dtype(): DType {
    return this.expr.dtype;
  }
  get shape(): number[] {
    return this.expr.shape;
  }
  get ndim(): number {
    return this.expr.ndim;
  }
  get size(): number {
    return this.expr.size;
  }
  get numblocks(): number[] {
    return this.expr.numblocks;
  }
  get nbytes(): number {
    return this.expr.nbytes;
  }
  get T(): DaskArray {
    return wrap(ops.transpose(this.expr), this);
  }

  // elementwise
  add(y: Operand): DaskArray {
    return wrap(ops.binary('add', this.expr, unwrap(y)), this);
  }
  sub(y: Operand): DaskArray {
    return wrap(ops.binary('sub', this.expr, unwrap(y)), this);
  }
  mul(y: Operand): DaskArray {
    return wrap(ops.binary('mul', this.expr, unwrap(y)), this);
  }
  div(y: Operand): DaskArray {
    return wrap(ops.binary('div', this.expr, unwrap(y)), this);
  }
  floordiv(y: Operand): DaskArray {
    return wrap(ops.binary('floordiv', this.expr, unwrap(y)), this);
  }
  pow(y: Operand): DaskArray {
    return wrap(ops.binary('pow', this.expr, unwrap(y)), this);
  }
  mod(y: Operand): DaskArray {
    return wrap(ops.binary('mod', this.expr, unwrap(y)), this);
  }
  lt(y: Operand): DaskArray {
    return wrap(ops.binary('lt', this.expr, unwrap(y)), this);
  }
  le(y: Operand): DaskArray {
    return wrap(ops.binary('le', this.expr, unwrap(y)), this);
  }
  gt(y: Operand): DaskArray {
    return wrap(ops.binary('gt', this.expr, unwrap(y)), this);
  }
  ge(y: Operand): DaskArray {
    return wrap(ops.binary('ge', this.expr, unwrap(y)), this);
  }
  eq(y: Operand): DaskArray {
    return wrap(ops.binary('eq', this.expr, unwrap(y)), this);
  }
  ne(y: Operand): DaskArray {
    return wrap(ops.binary('ne', this.expr, unwrap(y)), this);
  }
  and(y: Operand): DaskArray {
    return wrap(ops.binary('and', this.expr, unwrap(y)), this);
  }
  or(y: Operand): DaskArray {
    return wrap(ops.binary('or', this.expr, unwrap(y)), this);
  }
  neg(): DaskArray {
    return wrap(ops.unary('neg', this.expr), this);
  }
  abs(): DaskArray {
    return wrap(ops.unary('abs', this.expr), this);
  }
  exp(): DaskArray {
    return wrap(ops.unary('exp', this.expr), this);
  }
  log(): DaskArray {
    return wrap(ops.unary('log', this.expr), this);
  }
  sqrt(): DaskArray {
    return wrap(ops.unary('sqrt', this.expr), this);
  }
  sin(): DaskArray {
    return wrap(ops.unary('sin', this.expr), this);
  }
  cos(): DaskArray {
    return wrap(ops.unary('cos', this.expr), this);
  }
  tan(): DaskArray {
    return wrap(ops.unary('tan', this.expr), this);
  }
  floor(): DaskArray {
    return wrap(ops.unary('floor', this.expr), this);
  }
  ceil(): DaskArray {
    return wrap(ops.unary('ceil', this.expr), this);
  }
  not(): DaskArray {
    return wrap(ops.unary('not', this.expr), this);
  }
  isnan(): DaskArray {
    return wrap(ops.unary('isnan', this.expr), this);
  }
  astype(dtype: DType): DaskArray {
    return wrap(ops.astype(this.expr, dtype), this);
  }

  // reductions
  sum(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('sum', this.expr, o), this);
  }
  prod(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('prod', this.expr, o), this);
  }
  min(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('min', this.expr, o), this);
  }
  max(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('max', this.expr, o), this);
  }
  any(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('any', this.expr, o), this);
  }
  all(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('all', this.expr, o), this);
  }
  mean(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('mean', this.expr, o), this);
  }
  var(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('var', this.expr, o), this);
  }
  std(o: ops.ReductionOptions = {}): DaskArray {
    return wrap(ops.reduction('std', this.expr, o), this);
  }
  argmin(o: ops.ArgReductionOptions = {}): DaskArray {
    return wrap(ops.argReduction('argmin', this.expr, o), this);
  }
  argmax(o: ops.ArgReductionOptions = {}): DaskArray {
    return wrap(ops.argReduction('argmax', this.expr, o), this);
  }

  // indexing and shape
  slice(...index: ops.IndexInput[]): DaskArray {
    return wrap(ops.slice(this.expr, index), this);
  }
  transpose(axes?: readonly number[]): DaskArray {
    return wrap(ops.transpose(this.expr, axes), this);
  }
  reshape(shape: readonly number[]): DaskArray {
    return wrap(ops.reshape(this.expr, shape), this);
  }
  rechunk(chunks: ops.ChunksInput): DaskArray {
    return wrap(ops.rechunk(this.expr, chunks), this);
  }
  matmul(y: DaskArray): DaskArray {
    return wrap(ops.matmul(this.expr, unwrap(y)), this);
  }
  dot(y: DaskArray): DaskArray {
    return wrap(ops.matmul(this.expr, unwrap(y)), this);
  }

  /** Computes the array: an ndarray in C order, or a number for a 0-d array. */
  async compute(options?: ComputeOptions): Promise<ndarray.NdArray | number> {
    const [value] = await computeAll([this], options);
    return value as ndarray.NdArray | number;
  }

  /** Computes the blocks and returns an array backed by them. */
  async persist(options?: ComputeOptions): Promise<DaskArray> {
    const [value] = await persistAll([this], options);
    return value as DaskArray;
  }

  visualize(options?: VisualizeOptions): string {
    return visualize(this.__daskGraph().toGraph(), options);
  }

  toString(): string {
    return `dask-ts.array<${this.name}, shape=(${this.shape.join(', ')}), dtype=${this.dtype}, chunksize=(${this.chunks.map((c) => c[0] ?? 0).join(', ')})>`;
  }

  __daskTokenize(): string {
    return this.name;
  }
  __daskGraph(): HighLevelGraph {
    return this.graph;
  }
  __daskKeys(): KeyTree {
    return nestedKeys(this.name, this.numblocks);
  }
  /**
   * Cull, then fuse linear chains: a block made by one task and read by one other (a random block
   * feeding its partial sum, a slice feeding a transpose) becomes a single task, so the
   * intermediate block never leaves the worker that made it.
   */
  __daskOptimize(graph: HighLevelGraph, keys: readonly Key[]): Graph {
    return fuse(cull(graph.toGraph(), keys), keys);
  }
  __daskPostcompute(values: unknown): Chunk | number {
    const blocks = flattenNested(values, this.ndim) as Chunk[];
    if (this.ndim === 0) return blocks[0]!.data[0]!;
    return assembleBlocks(this.dtype, this.numblocks, blocks);
  }
  __daskPostpersist(values: unknown): DaskArray {
    return wrap(ops.fromBlocks(`${this.name}-persisted`, this.chunks, this.dtype, flattenNested(values, this.ndim)));
  }
}
