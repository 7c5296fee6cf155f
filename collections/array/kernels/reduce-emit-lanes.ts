/*
 * Building blocks of the generated reduction kernels (reduce-emit.ts, reduce-emit-column.ts):
 * input loads for the innermost loop (unit or general stride, or a stride-0 input read once
 * before the loop), one "lane" = the fused expression evaluated at one inner position, unrolled
 * loops with a remainder loop, and balanced trees for combining lanes.
 */
import type { DType } from '../dtype.js';
import { emitExpr, type HelperName } from './elementwise-emit.js';
import type { Expr } from './elementwise-expr.js';
import { innerIndex, type LoopPlan } from './elementwise-loops.js';

/** Pairwise-summation block size (NumPy's). */
export const PAIRWISE_BLOCK = 128;
/** Long rows are read as this many segments side by side (see reduce-emit-row.ts). */
export const STREAMS = 8;
/** Rows at least this long are read as STREAMS segments. */
export const STREAM_MIN = 2 * STREAMS * PAIRWISE_BLOCK;

export interface Ctx {
  readonly plan: LoopPlan;
  readonly expr: Expr;
  readonly dtypes: readonly DType[];
  readonly helpers: Set<HelperName>;
}

/** JavaScript expression reading input `k` at inner position `pos`. */
export type Load = (k: number, pos: string) => string;

/**
 * Loads of the inputs at running offsets `offsets`; reads of stride-0 inputs are collected in
 * `hoisted` (to be placed before the inner loop) under names tagged with `tag`.
 */
export function makeLoad(plan: LoopPlan, offsets: readonly string[], tag: string): { load: Load; hoisted: string[] } {
  const last = plan.extents.length - 1;
  const hoisted: string[] = [];
  const load = (k: number, pos: string): string => {
    if (plan.kinds[k]![last] !== 'z') return `a${k}[${innerIndex(plan, k, offsets[k]!, pos)}]`;
    const name = `h${k}${tag}`;
    const line = `const ${name} = a${k}[${offsets[k] === '' ? '0' : offsets[k]!}];`;
    if (!hoisted.includes(line)) hoisted.push(line);
    return name;
  };
  return { load, hoisted };
}

/** Statements computing the expression at inner position `pos`; returns [lines, value]. */
export function lane(ctx: Ctx, load: Load, pos: string, prefix: string): [string[], string] {
  const e = emitExpr(ctx.expr, { inputDtypes: ctx.dtypes, load: (k) => load(k, pos), prefix, helpers: ctx.helpers });
  return [e.lines, e.value];
}

function lanePos(l: number): string {
  return l === 0 ? 'j' : `(j + ${l})`;
}

/** An unrolled loop over [start, end) with `count` lanes, then a one-lane remainder loop. */
export function unrolled(
  ctx: Ctx,
  load: Load,
  count: number,
  start: string,
  end: string,
  step: (value: string, l: number) => string[],
): string[] {
  const main: string[] = [];
  for (let l = 0; l < count; l++) {
    const [lines, v] = lane(ctx, load, lanePos(l), `_${l}_`);
    main.push(...lines, ...step(v, l));
  }
  const [rest, v0] = lane(ctx, load, 'j', '_r_');
  return [
    `let j = ${start};`,
    `for (; j + ${count} <= ${end}; j += ${count}) {`,
    ...main,
    '}',
    `for (; j < ${end}; j++) {`,
    ...rest,
    ...step(v0, 0),
    '}',
  ];
}

/** `let r0 = init, r1 = init, ...;` */
export function declareLanes(prefix: string, count: number, init: string): string {
  return `let ${laneNames(prefix, count)
    .map((n) => `${n} = ${init}`)
    .join(', ')};`;
}

export function laneNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, l) => `${prefix}${l}`);
}

/** `const o1 = L, o2 = 2 * L, ...`: the starts of `count` segments of length L of a row. */
export function segments(count: number): string[] {
  return Array.from({ length: count - 1 }, (_, s) => `const o${s + 1} = ${s + 1} * L;`);
}

/** Position `j` (or `base`) within segment s. */
export function segmentPos(s: number, base = 'j'): string {
  return s === 0 ? base : `(${base} + o${s})`;
}

/** ((r0 + r1) + (r2 + r3)) + ... as a balanced tree of `join`. */
export function tree(names: readonly string[], join: (a: string, b: string) => string): string {
  if (names.length === 1) return names[0]!;
  const half = Math.ceil(names.length / 2);
  return join(tree(names.slice(0, half), join), tree(names.slice(half), join));
}

export const sumOf = (a: string, b: string): string => `(${a} + ${b})`;
export const productOf = (a: string, b: string): string => `(${a} * ${b})`;
export const minOf = (a: string, b: string): string => `Math.min(${a}, ${b})`;
export const maxOf = (a: string, b: string): string => `Math.max(${a}, ${b})`;
