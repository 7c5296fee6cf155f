/*
 * Per-chunk reductions (the first stage of Dask's tree reduction, dask/array/reductions.py):
 * `reduceChunk` reduces the broadcast value of a fused expression over some axes of one block
 * into a Partial (reduce-partial.ts) with keepdims shape; `combinePartials` merges partials of
 * neighbouring blocks and `finalizePartial` turns the last one into the result
 * (reduce-combine.ts). Reducing an elementwise chain this way never materialises the chain:
 * `((x + 1) * 2 - x).mean()` is one generated loop per chunk.
 *
 * reduceChunk: validate the spec, broadcast the inputs, plan the loops with the output's strides
 * 0 along reduced axes (elementwise-loops.ts), then run the generated kernel(s) (reduce-emit.ts)
 * over float64 accumulators, one per output slot, initialised to the op's identity (sum 0,
 * prod 1, min +inf, max -inf, any 0, all 1, argmin +inf with index 0). Every op accumulates in
 * float64, whatever the input dtype (integer sums are exact up to 2^53); the accumulators are
 * then stored as spec.accDtype (sum/prod/min/max/argmin/argmax value), bool (any/all) or float64
 * (moment). Moments: a row reduction is one pass (shifted block sums, Chan's combination); a
 * column reduction takes a sum pass and a deviation pass (mean, then sum(d^2) and sum(d), the
 * corrected two-pass algorithm: mean += sum(d)/n, m2 = sum(d^2) - sum(d)^2/n). With
 * `order: 1` only the mean is computed, in the same single pass as a sum.
 * Empty reductions follow NumPy: sum 0, prod 1, any false, all true, moment n = 0 (mean NaN);
 * min/max/argmin/argmax of an empty axis throw NumPy's errors.
 */
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { ValueError } from '../../../src/core/errors.js';
import { chunkOf, cStrides, sizeOf, type Chunk } from '../chunk.js';
import { allocate, checkDType, type DType, type NumericArray } from '../dtype.js';
import { broadcastShapes, broadcastView } from './elementwise-broadcast.js';
import { exprKey, type Expr } from './elementwise-expr.js';
import { compileKernel, planLoops, warmUpArray, warmUpLayout, type LoopPlan } from './elementwise-loops.js';
import { checkChunkInputs } from './elementwise.js';
import { combinePartials, finalizePartial, castArray } from './reduce-combine.js';
import { reduceSource, STACK_LENGTH, WARM_UP_INNER, type ReduceFamily, type ReduceKernel } from './reduce-emit.js';
import { checkAxes, checkReduceOp, type Partial, type ReduceOp, type ReduceSpec } from './reduce-partial.js';

export { combinePartials, finalizePartial };
export type {
  ArgPartial,
  FinalizeKind,
  FinalizeSpec,
  MomentPartial,
  Partial,
  ReduceOp,
  ReducePartial,
  ReduceSpec,
  ValuePartial,
} from './reduce-partial.js';

/** Scratch stack of the pairwise and moment kernels (kernels run synchronously: one per thread). */
const STACK = new Float64Array(STACK_LENGTH);

const IDENTITY: Readonly<Record<Exclude<ReduceOp, 'moment'>, number>> = {
  sum: 0,
  prod: 1,
  min: Infinity,
  max: -Infinity,
  any: 0,
  all: 1,
  argmin: Infinity,
  argmax: -Infinity,
};

interface Job {
  readonly plan: LoopPlan;
  readonly expr: Expr;
  readonly key: string;
  readonly dtypes: DType[];
  readonly data: NumericArray[];
}

/** A float64 accumulator of `size` slots in shared memory, filled with `init`. */
function accumulator(size: number, init: number): Float64Array {
  const a = allocate('float64', size) as Float64Array;
  if (init !== 0) a.fill(init);
  return a;
}

function run(
  job: Job,
  family: ReduceFamily,
  acc: Float64Array,
  acc2: Float64Array = acc,
  acc3: Float64Array = acc,
): void {
  const key = `rd|${family}|${job.key}|${job.dtypes.join(',')}|${job.plan.pattern}`;
  const kernel = compileKernel<ReduceKernel>(
    key,
    () => reduceSource(family, job.plan, job.expr, job.dtypes),
    (fn) => warmUp(fn, job),
  );
  kernel(job.data, job.plan.params, acc, acc2, acc3, STACK);
}

/** Runs a new kernel on small inputs with long rows (several pairwise blocks) and short ones. */
function warmUp(fn: ReduceKernel, job: Job): void {
  for (const inner of WARM_UP_INNER) {
    const layout = warmUpLayout(job.plan, inner);
    const ins = job.dtypes.map((d, k) => warmUpArray(d, layout.lengths[k]!));
    const size = layout.lengths[job.dtypes.length]!;
    fn(
      ins,
      layout.params,
      new Float64Array(size),
      new Float64Array(size).fill(1),
      new Float64Array(size).fill(2),
      new Float64Array(STACK.length),
    );
  }
}

/** Reduces `spec.expr` over the broadcast `inputs` along `spec.axes`, giving a keepdims partial. */
export function reduceChunk(spec: ReduceSpec, ...inputs: Chunk[]): Partial {
  const op = checkReduceOp(spec.op);
  const ek = exprKey(spec.expr);
  const dtypes = checkChunkInputs(spec.inputDtypes, inputs);
  const shape = broadcastShapes(inputs.map((c) => c.shape));
  const axes = checkAxes(spec.axes, shape.length, op);
  const reduced = shape.map((_, d) => axes.includes(d));
  const outShape = shape.map((e, d) => (reduced[d] === true ? 1 : e));
  const count = axes.reduce((n, a) => n * shape[a]!, 1);
  const size = sizeOf(outShape);
  if (count === 0 || size === 0) return emptyPartial(spec, op, outShape, count);
  const outStride = cStrides(outShape).map((s, d) => (reduced[d] === true ? 0 : s));
  const plan = planLoops(shape, reduced, [
    ...inputs.map((c) => broadcastView(c, shape)),
    { stride: outStride, offset: 0 },
  ]);
  const job: Job = { plan, expr: spec.expr, key: ek, dtypes, data: inputs.map((c) => c.data) };
  if (op === 'moment') return momentPartial(job, spec.order === 1 ? 1 : 2, count, outShape);
  const acc = accumulator(size, IDENTITY[op]);
  if (op === 'argmin' || op === 'argmax') {
    const index = accumulator(size, 0);
    run(job, op, acc, index);
    const offset = argOffset(spec.argOffset);
    if (offset !== 0) for (let i = 0; i < size; i++) index[i]! += offset;
    return { value: chunkOf(castArray(acc, checkDType(spec.accDtype)), outShape), index: chunkOf(index, outShape) };
  }
  run(job, op, acc);
  const valueDtype = op === 'any' || op === 'all' ? 'bool' : checkDType(spec.accDtype);
  return { value: chunkOf(castArray(acc, valueDtype), outShape) };
}

function argOffset(offsets: unknown): number {
  if (offsets === undefined) return 0;
  const first: unknown = Array.isArray(offsets) ? (offsets as unknown[])[0] : undefined;
  if (typeof first !== 'number' || !Number.isFinite(first)) {
    throw new ValueError(`argOffset must be an array holding one finite number, got ${JSON.stringify(offsets)}`);
  }
  return first;
}

function momentPartial(job: Job, order: 1 | 2, count: number, outShape: number[]): Partial {
  const size = sizeOf(outShape);
  const rowCase = job.plan.reduced[job.plan.reduced.length - 1] === true;
  const mean = accumulator(size, 0);
  if (order === 2 && rowCase) {
    const n = accumulator(size, 0);
    const m2 = accumulator(size, 0);
    run(job, 'moment', n, mean, m2);
    for (let i = 0; i < size; i++) mean[i] = mean[i]! / n[i]!;
    return { n: count, mean: chunkOf(mean, outShape), m2: chunkOf(m2, outShape) };
  }
  run(job, 'sum', mean);
  for (let i = 0; i < size; i++) mean[i] = mean[i]! / count;
  if (order === 1) return { n: count, mean: chunkOf(mean, outShape) };
  const m2 = accumulator(size, 0);
  const dsum = accumulator(size, 0);
  run(job, 'dev', m2, dsum, mean);
  for (let i = 0; i < size; i++) {
    const d = dsum[i]!;
    mean[i]! += d / count;
    m2[i] = m2[i]! - (d * d) / count;
  }
  return { n: count, mean: chunkOf(mean, outShape), m2: chunkOf(m2, outShape) };
}

function emptyPartial(spec: ReduceSpec, op: ReduceOp, outShape: number[], count: number): Partial {
  const size = sizeOf(outShape);
  if (count === 0 && size > 0) {
    if (op === 'min' || op === 'max') {
      throw new ValueError(
        `zero-size array to reduction operation ${op === 'min' ? 'minimum' : 'maximum'} which has no identity`,
      );
    }
    if (op === 'argmin' || op === 'argmax') throw new ValueError(`attempt to get ${op} of an empty sequence`);
  }
  if (op === 'moment') {
    const mean = chunkOf(accumulator(size, NaN), outShape);
    return spec.order === 1 ? { n: count, mean } : { n: count, mean, m2: chunkOf(accumulator(size, NaN), outShape) };
  }
  const init = IDENTITY[op];
  const valueDtype = op === 'any' || op === 'all' ? 'bool' : checkDType(spec.accDtype);
  const value = chunkOf(castArray(accumulator(size, init), valueDtype), outShape);
  return op === 'argmin' || op === 'argmax' ? { value, index: chunkOf(accumulator(size, 0), outShape) } : { value };
}

registerModuleFunction(reduceChunk, import.meta.url, 'reduceChunk');
