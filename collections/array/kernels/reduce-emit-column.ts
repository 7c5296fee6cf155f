/*
 * Column reductions (the innermost dimension is kept): every element is folded into
 * acc[slot + j], so reducing a leading or middle axis streams through the input in memory order
 * and accumulates whole output rows (which stay in cache) instead of gathering strided columns.
 * When the dimension just outside the innermost one is reduced (x.sum(axis=0) of a matrix), it
 * is unrolled by ROWS: four input rows are read side by side and combined in registers before
 * one read-modify-write of the output row, which cuts the accumulator traffic by four.
 * argmin/argmax keep one row at a time (the index of each row matters).
 */
import { ValueError } from '../../../src/core/errors.js';
import { at, emitLoopNest, type LoopPlan } from './elementwise-loops.js';
import { lane, makeLoad, maxOf, minOf, productOf, sumOf, tree, type Ctx } from './reduce-emit-lanes.js';
import type { ReduceFamily } from './reduce-emit.js';

const ROWS = 4;

/** The loop nest of a column reduction (the plan's innermost dimension is kept). */
export function columnNest(family: ReduceFamily, ctx: Ctx): string[] {
  const { plan } = ctx;
  const last = plan.extents.length - 1;
  const blocked = last >= 1 && plan.reduced[last - 1] === true && family !== 'argmin' && family !== 'argmax';
  if (!blocked) return emitLoopNest(plan, last, (offsets) => columnRow(family, ctx, offsets, argIndexVar(plan)));
  return emitLoopNest(plan, last - 1, (offsets) => blockedRows(family, ctx, offsets));
}

/** Loop variable counting along the (single) reduced dimension in a column plan, or '0'. */
function argIndexVar(plan: LoopPlan): string {
  const d = plan.reduced.indexOf(true);
  return d < 0 ? '0' : `i${d}`;
}

/** One input row folded into the output row. */
function columnRow(family: ReduceFamily, ctx: Ctx, offsets: readonly string[], idx: string): string[] {
  const last = ctx.plan.extents.length - 1;
  const { load, hoisted } = makeLoad(ctx.plan, offsets, '');
  const [lines, v] = lane(ctx, load, 'j', '_0_');
  const q = at(offsets[ctx.dtypes.length]!, 'j');
  return [
    ...hoisted,
    `for (let j = 0; j < n${last}; j++) {`,
    ...lines,
    `const q = ${q};`,
    ...update(family, [v], idx),
    '}',
  ];
}

/** Offsets of every array at index `i` of dimension `d` (stride-0 arrays keep theirs). */
function offsetsAt(
  plan: LoopPlan,
  offsets: readonly string[],
  d: number,
  i: string,
  name: (k: number) => string,
  out: string[],
): string[] {
  return offsets.map((base, k) => {
    if (plan.kinds[k]![d] === 'z') return base;
    out.push(`const ${name(k)} = ${at(base, `${i} * s${k}_${d}`)};`);
    return name(k);
  });
}

/** The reduced dimension just outside the innermost one, ROWS rows at a time, then the rest. */
function blockedRows(family: ReduceFamily, ctx: Ctx, offsets: readonly string[]): string[] {
  const { plan } = ctx;
  const last = plan.extents.length - 1;
  const d = last - 1;
  const i = `i${d}`;
  const pre: string[] = [];
  const hoisted: string[] = [];
  const lines: string[] = [];
  const values: string[] = [];
  for (let u = 0; u < ROWS; u++) {
    const laneOffsets = offsetsAt(plan, offsets, d, `(${i} + ${u})`, (k) => `p${k}_${d}_${u}`, pre);
    const l = makeLoad(plan, laneOffsets, `_${u}`);
    const [code, v] = lane(ctx, l.load, 'j', `_${u}_`);
    hoisted.push(...l.hoisted);
    lines.push(...code);
    values.push(v);
  }
  const q = at(offsets[ctx.dtypes.length]!, 'j');
  const restOffsets: string[] = [];
  const rest = columnRow(
    family,
    ctx,
    offsetsAt(plan, offsets, d, i, (k) => `p${k}_${d}`, restOffsets),
    '0',
  );
  return [
    `let ${i} = 0;`,
    `for (; ${i} + ${ROWS} <= n${d}; ${i} += ${ROWS}) {`,
    ...pre,
    ...hoisted,
    `for (let j = 0; j < n${last}; j++) {`,
    ...lines,
    `const q = ${q};`,
    ...update(family, values, '0'),
    '}',
    '}',
    `for (; ${i} < n${d}; ${i}++) {`,
    ...restOffsets,
    ...rest,
    '}',
  ];
}

/** Folds the values of one or more rows at slot q. */
function update(family: ReduceFamily, v: readonly string[], idx: string): string[] {
  switch (family) {
    case 'sum':
      return [`acc[q] += ${tree(v, sumOf)};`];
    case 'prod':
      return [`acc[q] *= ${tree(v, productOf)};`];
    case 'min':
      return [`acc[q] = ${minOf('acc[q]', tree(v, minOf))};`];
    case 'max':
      return [`acc[q] = ${maxOf('acc[q]', tree(v, maxOf))};`];
    case 'any':
      return [`if (${v.map((x) => `${x} !== 0`).join(' || ')}) acc[q] = 1;`];
    case 'all':
      return [`if (${v.map((x) => `${x} === 0`).join(' || ')}) acc[q] = 0;`];
    case 'argmin':
    case 'argmax': {
      const x = v[0]!;
      const cmp = family === 'argmin' ? '<' : '>';
      return [
        'const b = acc[q];',
        `if (${x} ${cmp} b || (${x} !== ${x} && b === b)) { acc[q] = ${x}; acc2[q] = ${idx}; }`,
      ];
    }
    case 'dev': {
      const ds = v.map((_, u) => `d${u}`);
      return [
        'const m = acc3[q];',
        ...v.map((x, u) => `const d${u} = ${x} - m;`),
        `acc[q] += ${tree(
          ds.map((x) => `${x} * ${x}`),
          sumOf,
        )};`,
        `acc2[q] += ${tree(ds, sumOf)};`,
      ];
    }
    case 'moment':
      throw new ValueError('internal error: one-pass moment on a column reduction');
  }
}
