/*
 * DaskArray: a lazy n-dimensional array cut into blocks. It is a name, block sizes per axis
 * (`chunks`), a dtype and the HighLevelGraph that computes every block; block (i, j) lives under
 * key `name[i,j]`. Methods are thin: each delegates to one operation in ops/.
 *
 * An array made by elementwise operations also remembers, in `fused`, its expression over the
 * arrays it started from. The next elementwise operation or reduction reads that expression
 * instead of this array's blocks, so a chain like ((x + 1) * 2 - x).mean() becomes one task per
 * chunk doing one pass over memory (blockwise fusion done as the chain is built).
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
import { HighLevelGraph, MaterializedLayer } from '../../src/core/graph/high-level-graph.js';
import { cull } from '../../src/core/graph/cull.js';
import { fuse } from '../../src/core/graph/fuse.js';
import { key } from '../../src/core/graph/keys.js';
import { DataNode, type Graph, type Key } from '../../src/core/graph/task.js';
import { visualize, type VisualizeOptions } from '../../src/core/graph/visualize.js';
import { blockIndices, flattenNested, nestedKeys } from './blocks.js';
import type { Chunk } from './chunk.js';
import { itemsize, type DType } from './dtype.js';
import type { Expr } from './kernels/elementwise.js';
import { assembleBlocks } from './kernels/copy.js';
import * as ops from './ops/index.js';

const ARRAY = Symbol.for('dask-ts/Array');

export type Operand = DaskArray | number | boolean;

export interface FusedExpr {
  readonly expr: Expr;
  readonly inputs: readonly DaskArray[];
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

  constructor(
    readonly graph: HighLevelGraph,
    readonly name: string,
    readonly chunks: readonly (readonly number[])[],
    readonly dtype: DType,
    readonly fused?: FusedExpr,
  ) {}

  /** True for a DaskArray from any copy of this package (realm-safe). */
  static isArray(value: unknown): value is DaskArray {
    return typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[ARRAY] === true;
  }

  get shape(): number[] {
    return this.chunks.map((c) => c.reduce((s, v) => s + v, 0));
  }
  get ndim(): number {
    return this.chunks.length;
  }
  get size(): number {
    return this.shape.reduce((p, d) => p * d, 1);
  }
  get numblocks(): number[] {
    return this.chunks.map((c) => c.length);
  }
  get nbytes(): number {
    return this.size * itemsize(this.dtype);
  }
  get T(): DaskArray {
    return ops.transpose(this);
  }

  // elementwise
  add(y: Operand): DaskArray {
    return ops.binary('add', this, y);
  }
  sub(y: Operand): DaskArray {
    return ops.binary('sub', this, y);
  }
  mul(y: Operand): DaskArray {
    return ops.binary('mul', this, y);
  }
  div(y: Operand): DaskArray {
    return ops.binary('div', this, y);
  }
  floordiv(y: Operand): DaskArray {
    return ops.binary('floordiv', this, y);
  }
  pow(y: Operand): DaskArray {
    return ops.binary('pow', this, y);
  }
  mod(y: Operand): DaskArray {
    return ops.binary('mod', this, y);
  }
  lt(y: Operand): DaskArray {
    return ops.binary('lt', this, y);
  }
  le(y: Operand): DaskArray {
    return ops.binary('le', this, y);
  }
  gt(y: Operand): DaskArray {
    return ops.binary('gt', this, y);
  }
  ge(y: Operand): DaskArray {
    return ops.binary('ge', this, y);
  }
  eq(y: Operand): DaskArray {
    return ops.binary('eq', this, y);
  }
  ne(y: Operand): DaskArray {
    return ops.binary('ne', this, y);
  }
  and(y: Operand): DaskArray {
    return ops.binary('and', this, y);
  }
  or(y: Operand): DaskArray {
    return ops.binary('or', this, y);
  }
  neg(): DaskArray {
    return ops.unary('neg', this);
  }
  abs(): DaskArray {
    return ops.unary('abs', this);
  }
  exp(): DaskArray {
    return ops.unary('exp', this);
  }
  log(): DaskArray {
    return ops.unary('log', this);
  }
  sqrt(): DaskArray {
    return ops.unary('sqrt', this);
  }
  sin(): DaskArray {
    return ops.unary('sin', this);
  }
  cos(): DaskArray {
    return ops.unary('cos', this);
  }
  tan(): DaskArray {
    return ops.unary('tan', this);
  }
  floor(): DaskArray {
    return ops.unary('floor', this);
  }
  ceil(): DaskArray {
    return ops.unary('ceil', this);
  }
  not(): DaskArray {
    return ops.unary('not', this);
  }
  isnan(): DaskArray {
    return ops.unary('isnan', this);
  }
  astype(dtype: DType): DaskArray {
    return ops.astype(this, dtype);
  }

  // reductions
  sum(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('sum', this, o);
  }
  prod(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('prod', this, o);
  }
  min(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('min', this, o);
  }
  max(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('max', this, o);
  }
  any(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('any', this, o);
  }
  all(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('all', this, o);
  }
  mean(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('mean', this, o);
  }
  var(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('var', this, o);
  }
  std(o: ops.ReductionOptions = {}): DaskArray {
    return ops.reduction('std', this, o);
  }
  argmin(o: ops.ArgReductionOptions = {}): DaskArray {
    return ops.argReduction('argmin', this, o);
  }
  argmax(o: ops.ArgReductionOptions = {}): DaskArray {
    return ops.argReduction('argmax', this, o);
  }

  // indexing and shape
  slice(...index: ops.IndexInput[]): DaskArray {
    return ops.slice(this, index);
  }
  transpose(axes?: readonly number[]): DaskArray {
    return ops.transpose(this, axes);
  }
  reshape(shape: readonly number[]): DaskArray {
    return ops.reshape(this, shape);
  }
  rechunk(chunks: ops.ChunksInput): DaskArray {
    return ops.rechunk(this, chunks);
  }
  matmul(y: DaskArray): DaskArray {
    return ops.matmul(this, y);
  }
  dot(y: DaskArray): DaskArray {
    return ops.matmul(this, y);
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
    const blocks = flattenNested(values, this.ndim);
    const name = `${this.name}-persisted`;
    const nodes: DataNode[] = [];
    let i = 0;
    for (const idx of blockIndices(this.numblocks)) nodes.push(new DataNode(key(name, ...idx), blocks[i++]));
    return new DaskArray(new HighLevelGraph([new MaterializedLayer(name, nodes)]), name, this.chunks, this.dtype);
  }
}
