/*
 * Series reductions as partial → combine → finalize (a tree reduction, plan/tree-reduce.ts).
 * The partial state of a partition is {n, sum, mean, m2, min, max, distinct}: the count of present
 * values (missing and NaN skipped, as pandas does), their sum, mean and sum of squared deviations
 * (only when var/std asks: one more pass), the extremes, and for nunique a one-column table of the
 * distinct values. States merge with Chan's parallel formulas (delta of means), so var/std are
 * as stable as a two-pass computation (reduce-numeric.ts computes a numeric column's moments, only
 * those the reduction needs). Strings reduce by count, min, max and nunique only.
 */
import type { Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import type { Expr } from '../expr.js';
import { tableOf } from './build.js';
import { boolAt, colOfData, rowString, validAt, type Col } from './columns.js';
import { numericMoments } from './reduce-numeric.js';
import { concatTables, singleBatch } from './concat.js';
import { evalToData } from './eval-expr.js';
import { factorizeColumn, firstRows } from './factorize.js';
import { takeCol } from './take.js';

export type ReduceKind = 'sum' | 'mean' | 'min' | 'max' | 'count' | 'std' | 'var' | 'nunique';
export type ScalarValue = number | string | null;

export interface ReduceSpec {
  readonly expr: Expr;
  readonly kind: ReduceKind;
  readonly ddof: number;
}

export interface ReduceState {
  n: number;
  sum: number;
  mean: number;
  m2: number;
  min: ScalarValue;
  max: ScalarValue;
  distinct: Table | null;
}

function numbersOf(c: Col): ArrayLike<number> | null {
  if (c.kind === 'num') return c.values;
  if (c.kind === 'bool') {
    const out = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) out[i] = boolAt(c, i) ? 1 : 0;
    return out;
  }
  return null;
}

function numericState(c: Col, v: ArrayLike<number>, kind: ReduceKind): ReduceState {
  const spread = kind === 'std' || kind === 'var';
  const m = numericMoments(c, v, { m2: spread, extremes: spread || kind === 'min' || kind === 'max' });
  return {
    n: m.n,
    sum: m.sum,
    mean: m.mean,
    m2: m.m2,
    min: m.n === 0 ? null : m.min,
    max: m.n === 0 ? null : m.max,
    distinct: null,
  };
}

function stringState(c: Col): ReduceState {
  let n = 0;
  let min: string | null = null;
  let max: string | null = null;
  if (c.kind === 'str') {
    for (let i = 0; i < c.length; i++) {
      if (!validAt(c, i)) continue;
      n++;
      const s = rowString(c, i);
      if (min === null || s < min) min = s;
      if (max === null || s > max) max = s;
    }
  }
  return { n, sum: 0, mean: 0, m2: 0, min, max, distinct: null };
}

function distinctTable(c: Col): Table {
  const f = factorizeColumn([c], true);
  const first = firstRows(f.codes[0]!, f.ngroups);
  return tableOf(['v'], [takeCol(c, first)]);
}

export function reducePartial(spec: ReduceSpec, table: Table): ReduceState {
  const t = singleBatch(table);
  const c = colOfData(evalToData(spec.expr, t), 'value');
  const nums = numbersOf(c);
  const state = nums === null ? stringState(c) : numericState(c, nums, spec.kind);
  if (spec.kind === 'nunique') state.distinct = distinctTable(c);
  return state;
}

function pick(a: ScalarValue, b: ScalarValue, wantMin: boolean): ScalarValue {
  if (a === null) return b;
  if (b === null) return a;
  return wantMin ? (b < a ? b : a) : b > a ? b : a;
}

export function reduceCombine(spec: ReduceSpec, states: readonly ReduceState[]): ReduceState {
  const out: ReduceState = { n: 0, sum: 0, mean: 0, m2: 0, min: null, max: null, distinct: null };
  for (const s of states) {
    const n = out.n + s.n;
    if (s.n > 0) {
      const delta = s.mean - out.mean;
      out.mean += (delta * s.n) / n;
      out.m2 += s.m2 + (delta * delta * out.n * s.n) / n;
    }
    out.n = n;
    out.sum += s.sum;
    out.min = pick(out.min, s.min, true);
    out.max = pick(out.max, s.max, false);
  }
  if (spec.kind === 'nunique') {
    const all = singleBatch(concatTables(states.map((s) => s.distinct!)));
    out.distinct = distinctTable(colOfData(all.batches[0]!.data.children[0]!, 'v'));
  }
  return out;
}

export function reduceFinalize(spec: ReduceSpec, state: ReduceState): ScalarValue {
  const s = spec.kind === 'nunique' ? state : reduceCombine(spec, [state]);
  switch (spec.kind) {
    case 'sum':
      return s.sum;
    case 'count':
      return s.n;
    case 'mean':
      return s.n === 0 ? NaN : s.sum / s.n;
    case 'min':
      return s.min ?? NaN;
    case 'max':
      return s.max ?? NaN;
    case 'var':
      return s.n - spec.ddof <= 0 ? NaN : s.m2 / (s.n - spec.ddof);
    case 'std':
      return s.n - spec.ddof <= 0 ? NaN : Math.sqrt(s.m2 / (s.n - spec.ddof));
    case 'nunique':
      return s.distinct === null ? 0 : s.distinct.numRows;
  }
}

registerModuleFunction(reducePartial, import.meta.url, 'reducePartial');
registerModuleFunction(reduceCombine, import.meta.url, 'reduceCombine');
registerModuleFunction(reduceFinalize, import.meta.url, 'reduceFinalize');
