/*
 * Source generation for the per-chunk reduction kernels. A kernel walks the broadcast expression
 * shape in memory order (a LoopPlan, see elementwise-loops.ts, with the output's strides 0 along
 * reduced dimensions), evaluates the fused expression once per element (elementwise-emit.ts) and
 * folds it into float64 accumulator arrays indexed by output slot. The innermost loop takes one
 * of two shapes:
 *   row     the innermost dimension is reduced (a whole-chunk reduction is planned as one row):
 *           the row is reduced in registers and folded into its slot once. Pairwise sums, the
 *           one-pass moments, min/max/prod, any/all and argmin/argmax: reduce-emit-row.ts and
 *           reduce-emit-moment.ts.
 *   column  the innermost dimension is kept: every element is folded into acc[slot + j], a whole
 *           output row at a time: reduce-emit-column.ts. Column moments take two passes: a sum,
 *           then `dev` accumulating sum(d^2) and sum(d) with d = x - mean (the corrected two-pass
 *           algorithm; reduce.ts turns them into m2).
 * Kernels share one signature (ReduceKernel) and are compiled and cached by elementwise-loops.ts.
 */
import { ValueError } from '../../../src/core/errors.js';
import type { DType } from '../dtype.js';
import { helperSource, inputBindings } from './elementwise-emit.js';
import type { Expr } from './elementwise-expr.js';
import { emitLoopNest, emitParams, type LoopPlan } from './elementwise-loops.js';
import { columnNest } from './reduce-emit-column.js';
import { makeLoad, PAIRWISE_BLOCK, STREAM_MIN, type Ctx } from './reduce-emit-lanes.js';
import { rowCode } from './reduce-emit-row.js';

/** What a generated kernel accumulates: a ReduceOp, or a stage of the moment computation. */
export type ReduceFamily = 'sum' | 'prod' | 'min' | 'max' | 'any' | 'all' | 'argmin' | 'argmax' | 'moment' | 'dev';

/** Inner extents a new kernel is warmed up with: a long row (all code paths) and a short one. */
export const WARM_UP_INNER: readonly number[] = [STREAM_MIN + 3 * PAIRWISE_BLOCK + 11, 5];

/** Length the scratch stack passed to kernels must have. */
export const STACK_LENGTH = 1024;

/**
 * Kernel signature: input arrays, the plan's run-time numbers, up to three float64 accumulator
 * arrays indexed by output slot, and a float64 scratch stack of STACK_LENGTH entries.
 */
export type ReduceKernel = (
  ins: readonly ArrayLike<number>[],
  P: readonly number[],
  acc: Float64Array,
  acc2: Float64Array,
  acc3: Float64Array,
  stk: Float64Array,
) => void;

/** Full kernel source for `family` over `plan` (a function body returning the kernel). */
export function reduceSource(family: ReduceFamily, plan: LoopPlan, expr: Expr, dtypes: readonly DType[]): string {
  const ctx: Ctx = { plan, expr, dtypes, helpers: new Set() };
  const last = plan.extents.length - 1;
  const rowCase = plan.reduced[last] === true;
  if (rowCase && family === 'dev') throw new ValueError('internal error: dev pass on a row reduction');
  if (!rowCase && family === 'moment') throw new ValueError('internal error: one-pass moment on a column reduction');
  const body = rowCase
    ? emitLoopNest(plan, last, (offsets) => {
        const { load, hoisted } = makeLoad(plan, offsets, '');
        const lines = rowCode(family, ctx, load, offsets[dtypes.length]!);
        return [...hoisted, ...lines];
      })
    : columnNest(family, ctx);
  return [
    ...helperSource(ctx.helpers),
    'return function reduceKernel(ins, P, acc, acc2, acc3, stk) {',
    ...inputBindings(dtypes.length),
    ...emitParams(plan),
    ...body,
    '};',
  ].join('\n');
}
