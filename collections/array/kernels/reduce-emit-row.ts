/*
 * Row reductions (the innermost dimension is reduced; a whole-chunk reduction is one row): the
 * row is reduced in registers and folded into its output slot once.
 *   sum   NumPy-style pairwise summation: blocks of 128 elements summed with 8 unrolled
 *         accumulators combined as a tree; block sums combined pairwise by a binary counter over
 *         a small stack (block b merges with the stack top once per trailing 1-bit of b), so the
 *         error grows as O(log n) rather than O(n). Rows of at least STREAM_MIN elements are first
 *         cut into STREAMS equal segments (multiples of the block) read side by side, each with
 *         its own accumulator and its own binary counter (the counters move in lockstep, so one
 *         top index serves all): several sequential streams keep more memory requests in
 *         flight than one, which measured ~2x faster on the 2-core machines of BENCH.md.
 *   moment see reduce-emit-moment.ts;
 *   prod/min/max  STREAMS segments for long rows, then 4 unrolled accumulators (Math.min/max
 *         propagate NaN); any/all stop at the first deciding element;
 *   argmin/argmax a running best and its index per segment: strict < (>) keeps the first
 *         occurrence and the first NaN wins and then stays (NumPy); segments are merged in order
 *         with the same rule, so ties still go to the lowest index.
 */
import { ValueError } from '../../../src/core/errors.js';
import {
  declareLanes,
  lane,
  laneNames,
  maxOf,
  minOf,
  PAIRWISE_BLOCK,
  productOf,
  segmentPos,
  segments,
  STREAM_MIN,
  STREAMS,
  sumOf,
  tree,
  unrolled,
  type Ctx,
  type Load,
} from './reduce-emit-lanes.js';
import { momentRow } from './reduce-emit-moment.js';
import type { ReduceFamily } from './reduce-emit.js';

const SUM_LANES = 8;
const FOLD_LANES = 4;
/** Rows shorter than this are summed by one plain loop (no blocks, no lanes). */
const SHORT_ROW = 16;
/** Stack entries per stream of the streamed pairwise sum. */
const STREAM_STACK = 64;

/** Code reducing the current row (length n<last>, inputs read through `load`) into slot `o`. */
export function rowCode(family: ReduceFamily, ctx: Ctx, load: Load, o: string): string[] {
  const n = `n${ctx.plan.extents.length - 1}`;
  const slot = o === '' ? '0' : o;
  switch (family) {
    case 'sum':
      return sumRow(ctx, load, n, slot);
    case 'moment':
      return momentRow(ctx, load, n, slot);
    case 'prod':
      return foldRow(ctx, load, n, slot, '1', productOf);
    case 'min':
      return foldRow(ctx, load, n, slot, 'Infinity', minOf);
    case 'max':
      return foldRow(ctx, load, n, slot, '-Infinity', maxOf);
    case 'any':
    case 'all': {
      const [lines, v] = lane(ctx, load, 'j', '_0_');
      const hit = family === 'any' ? `${v} !== 0` : `${v} === 0`;
      const found = family === 'any' ? '1' : '0';
      return [
        `let r = ${family === 'any' ? 0 : 1};`,
        `for (let j = 0; j < ${n}; j++) {`,
        ...lines,
        `if (${hit}) { r = ${found}; break; }`,
        '}',
        `if (r === ${found}) acc[${slot}] = ${found};`,
      ];
    }
    case 'argmin':
    case 'argmax':
      return argRow(family, ctx, load, n, slot);
    case 'dev':
      throw new ValueError('internal error: dev pass on a row reduction');
  }
}

/** One pass over the STREAMS segments at inner index j, calling `step` with each value. */
function segmentBody(ctx: Ctx, load: Load, step: (value: string, s: number) => string[]): string[] {
  const lines: string[] = [];
  for (let s = 0; s < STREAMS; s++) {
    const [code, v] = lane(ctx, load, segmentPos(s), `_m${s}_`);
    lines.push(...code, ...step(v, s));
  }
  return lines;
}

function sumRow(ctx: Ctx, load: Load, n: string, slot: string): string[] {
  const [shortLines, shortValue] = lane(ctx, load, 'j', '_s_');
  return [
    `if (${n} < ${SHORT_ROW}) {`,
    'let s = 0;',
    `for (let j = 0; j < ${n}; j++) {`,
    ...shortLines,
    `s += ${shortValue};`,
    '}',
    `acc[${slot}] += s;`,
    '} else {',
    'let lo = 0, ms = 0;',
    `if (${n} >= ${STREAM_MIN}) {`,
    ...streamedSum(ctx, load, n),
    '}',
    ...pairwiseSum(ctx, load, 'lo', n, 'ps'),
    `acc[${slot}] += ms + ps;`,
    '}',
  ];
}

/** Pairwise sum of STREAMS block-aligned segments covering [0, lo); sets `ms` and `lo`. */
function streamedSum(ctx: Ctx, load: Load, n: string): string[] {
  const B = PAIRWISE_BLOCK;
  const r = laneNames('r', STREAMS);
  const f = laneNames('f', STREAMS);
  const at = (s: number, top: string): string => (s === 0 ? `stk[${top}]` : `stk[${top} + ${s * STREAM_STACK}]`);
  return [
    `const L = Math.floor(${n} / ${STREAMS * B}) * ${B};`,
    ...segments(STREAMS),
    'let st = 0, blk = 0;',
    `for (let i = 0; i < L; i += ${B}) {`,
    declareLanes('r', STREAMS, '0'),
    `for (let j = i, e = i + ${B}; j < e; j++) {`,
    ...segmentBody(ctx, load, (v, s) => [`r${s} += ${v};`]),
    '}',
    'for (let c = blk; (c & 1) === 1; c >>>= 1) {',
    '--st;',
    ...r.map((x, s) => `${x} = ${at(s, 'st')} + ${x};`),
    '}',
    ...r.map((x, s) => `${at(s, 'st')} = ${x};`),
    'st++; blk++;',
    '}',
    declareLanes('f', STREAMS, '0'),
    'while (st > 0) {',
    '--st;',
    ...f.map((x, s) => `${x} = ${at(s, 'st')} + ${x};`),
    '}',
    `ms = ${tree(f, sumOf)};`,
    `lo = ${STREAMS} * L;`,
  ];
}

/** Pairwise sum of [start, end) into a new variable `result`. */
function pairwiseSum(ctx: Ctx, load: Load, start: string, end: string, result: string): string[] {
  const B = PAIRWISE_BLOCK;
  return [
    'let st = 0, blk = 0;',
    `for (let i = ${start}; i < ${end}; i += ${B}) {`,
    `const e = i + ${B} < ${end} ? i + ${B} : ${end};`,
    declareLanes('r', SUM_LANES, '0'),
    ...unrolled(ctx, load, SUM_LANES, 'i', 'e', (v, l) => [`r${l} += ${v};`]),
    `let s = ${tree(laneNames('r', SUM_LANES), sumOf)};`,
    'for (let c = blk; (c & 1) === 1; c >>>= 1) s = stk[--st] + s;',
    'stk[st++] = s; blk++;',
    '}',
    `let ${result} = 0;`,
    `while (st > 0) ${result} = stk[--st] + ${result};`,
  ];
}

function foldRow(
  ctx: Ctx,
  load: Load,
  n: string,
  slot: string,
  init: string,
  op: (a: string, b: string) => string,
): string[] {
  const m = laneNames('m', STREAMS);
  return [
    declareLanes('r', FOLD_LANES, init),
    'let lo = 0;',
    `if (${n} >= ${STREAM_MIN}) {`,
    `const L = Math.floor(${n} / ${STREAMS});`,
    ...segments(STREAMS),
    declareLanes('m', STREAMS, init),
    'for (let j = 0; j < L; j++) {',
    ...segmentBody(ctx, load, (v, s) => [`m${s} = ${op(`m${s}`, v)};`]),
    '}',
    `r0 = ${tree(m, op)};`,
    `lo = ${STREAMS} * L;`,
    '}',
    ...unrolled(ctx, load, FOLD_LANES, 'lo', n, (v, l) => [`r${l} = ${op(`r${l}`, v)};`]),
    `acc[${slot}] = ${op(`acc[${slot}]`, tree(laneNames('r', FOLD_LANES), op))};`,
  ];
}

function argRow(family: 'argmin' | 'argmax', ctx: Ctx, load: Load, n: string, slot: string): string[] {
  const cmp = family === 'argmin' ? '<' : '>';
  const better = (v: string, b: string): string => `${v} ${cmp} ${b} || (${v} !== ${v} && ${b} === ${b})`;
  const [lines, v] = lane(ctx, load, 'j', '_0_');
  const init = family === 'argmin' ? 'Infinity' : '-Infinity';
  const merge = Array.from(
    { length: STREAMS },
    (_, s) => `if (${better(`bs${s}`, 'best')}) { best = bs${s}; bi = bx${s}; }`,
  );
  return [
    `let best = acc[${slot}], bi = acc2[${slot}], lo = 0;`,
    `if (${n} >= ${STREAM_MIN}) {`,
    `const L = Math.floor(${n} / ${STREAMS});`,
    ...segments(STREAMS),
    declareLanes('bs', STREAMS, init),
    `let bx0 = 0, ${Array.from({ length: STREAMS - 1 }, (_, s) => `bx${s + 1} = o${s + 1}`).join(', ')};`,
    'for (let j = 0; j < L; j++) {',
    ...segmentBody(ctx, load, (x, s) => [`if (${better(x, `bs${s}`)}) { bs${s} = ${x}; bx${s} = ${segmentPos(s)}; }`]),
    '}',
    ...merge,
    `lo = ${STREAMS} * L;`,
    '}',
    `for (let j = lo; j < ${n}; j++) {`,
    ...lines,
    `if (${better(v, 'best')}) { best = ${v}; bi = j; }`,
    '}',
    `acc[${slot}] = best; acc2[${slot}] = bi;`,
  ];
}
