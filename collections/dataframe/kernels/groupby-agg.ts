/*
 * Group-by partial and combine kernels (state layout in groupby-state.ts). Both run the same loops
 * over (row, group code) pairs: a partial over the partition's rows, a combine over the rows of
 * the concatenated states of its children, regrouped by key:
 *   sums and counts    accumulate into Float64Arrays per group (a partial skips missing and NaN
 *                      values; a combine adds every state row, so a NaN partial sum, inf - inf,
 *                      stays NaN)
 *   moments            partial: count and mean, then a second pass for the squared deviations;
 *                      combine: Chan's formulas merging (count, mean, m2) per group
 *   picks              the row holding each group's min / max / first / last present value,
 *                      then one gather of those rows (strings compare by rank, see argsort.ts)
 *   nunique            the distinct (keys..., v) rows, deduplicated again when combined
 * A partial whose single key is int32 without missing values and whose aggregations are sums,
 * counts, means and sizes takes the one-pass dense fast path instead (groupby-dense.ts) and
 * returns a dense state (groupby-dense-state.ts), which combines stay in while all their inputs
 * are dense; otherwise states are turned into tables first. The module warms its kernels when a
 * worker loads it (groupby-warm.ts).
 */
import type { Data, Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { allocFloat64, allocInt32 } from '../dtype.js';
import { numData, tableOf } from './build.js';
import { columnOf, validAt, type Col } from './columns.js';
import { concatTables, singleBatch } from './concat.js';
import { factorize, firstRows } from './factorize.js';
import { sortKeys } from './argsort.js';
import {
  addRows,
  asFloat64,
  countPresent,
  extremeRows,
  squaredDeviations,
  sumCount,
  validMask,
} from './group-loops.js';
import { compactSlots, denseSumCount, type DenseSlots } from './groupby-dense.js';
import {
  denseCombine,
  isDenseState,
  tableState,
  type AnyGroupState,
  type DenseGroupState,
} from './groupby-dense-state.js';
import { groupbyFinalize } from './groupby-finalize.js';
import { warmGroupby } from './groupby-warm.js';
import { takeCol } from './take.js';
import {
  groupRows,
  groupSizes,
  presentGroups,
  stateParts,
  type GroupBySpec,
  type GroupState,
  type Grouping,
} from './groupby-state.js';

/** Sum (or count, for count aggregations and raw counts) per group. */
export function sumBy(c: Col, codes: Int32Array, ng: number, count: boolean): Float64Array {
  const mask = validMask(c);
  if (count && c.kind !== 'num') return countPresent(codes, mask, ng);
  const [sum, cnt] = sumCount(codes, asFloat64(c), mask, ng);
  return count ? cnt : sum;
}

/** count, mean and m2 per group from raw rows (two passes). */
function momentsOf(c: Col, codes: Int32Array, ng: number): [Float64Array, Float64Array, Float64Array] {
  const v = asFloat64(c);
  const mask = validMask(c);
  const [mean, cnt] = sumCount(codes, v, mask, ng);
  for (let g = 0; g < ng; g++) mean[g] = cnt[g]! > 0 ? mean[g]! / cnt[g]! : 0;
  return [cnt, mean, squaredDeviations(codes, v, mask, mean)];
}

/** Chan's merge of (count, mean, m2) rows into their groups. */
function mergeMoments(
  cnt: Col,
  mean: Col,
  m2: Col,
  codes: Int32Array,
  ng: number,
): [Float64Array, Float64Array, Float64Array] {
  const c = allocFloat64(ng);
  const mu = allocFloat64(ng);
  const q = allocFloat64(ng);
  const vc = asFloat64(cnt);
  const vm = asFloat64(mean);
  const vq = asFloat64(m2);
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    const nb = vc[i]!;
    if (g < 0 || nb === 0) continue;
    const na = c[g]!;
    const n = na + nb;
    const delta = vm[i]! - mu[g]!;
    mu[g]! += (delta * nb) / n;
    q[g]! += vq[i]! + (delta * delta * na * nb) / n;
    c[g] = n;
  }
  return [c, mu, q];
}

/**
 * Per group, the row holding its min / max / first / last present value (-1 when none). Min and
 * max compare numbers as float64 and strings and booleans by rank (argsort.ts).
 */
export function pickRows(c: Col, codes: Int32Array, ng: number, mode: 'min' | 'max' | 'first' | 'last'): Int32Array {
  if (mode === 'min' || mode === 'max')
    return extremeRows(codes, c.kind === 'num' ? asFloat64(c) : sortKeys(c, true), validMask(c), ng, mode === 'min');
  const best = allocInt32(ng).fill(-1);
  const nums = c.kind === 'num' ? c.values : null;
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    if (g < 0 || !validAt(c, i) || (nums !== null && nums[i]! !== nums[i]!)) continue;
    if (mode === 'last' || best[g] === -1) best[g] = i;
  }
  return best;
}

function compact(d: Float64Array, present: Int32Array | null): Float64Array {
  if (present === null) return d;
  const out = allocFloat64(present.length);
  for (let j = 0; j < present.length; j++) out[j] = d[present[j]!]!;
  return out;
}

function compactRows(rows: Int32Array, present: Int32Array | null): Int32Array {
  if (present === null) return rows;
  const out = allocInt32(present.length);
  for (let j = 0; j < present.length; j++) out[j] = rows[present[j]!]!;
  return out;
}

/** Key columns of the groups: dense slots rebuilt from denseMin, else gathered at first rows. */
function groupKeys(keys: readonly Col[], g: Grouping, present: Int32Array | null): Data[] {
  if (g.denseMin !== undefined && keys[0]!.kind === 'num') {
    const k = keys[0]!;
    const ng = present === null ? g.ngroups : present.length;
    const out = new (k.values.constructor as new (b: SharedArrayBuffer, o: number, n: number) => typeof k.values)(
      new SharedArrayBuffer(Math.max(1, ng) * k.values.BYTES_PER_ELEMENT),
      0,
      ng,
    );
    for (let j = 0; j < ng; j++) out[j] = g.denseMin + (present === null ? j : present[j]!);
    return [numData(k.dtype, out)];
  }
  const first = compactRows(firstRows(g.codes, g.ngroups), present);
  return keys.map((k) => takeCol(k, first));
}

interface StageInput {
  readonly keys: readonly Col[];
  readonly grouping: Grouping;
  /** For aggregation i and its state part, the input column (raw column for a partial). */
  column(agg: number, part: string): Col;
}

/** The state columns of every aggregation, for groups `present`. */
function aggregate(
  spec: GroupBySpec,
  input: StageInput,
  raw: boolean,
  size: Float64Array,
  present: Int32Array | null,
): { names: string[]; data: Data[] } {
  const { codes, ngroups: ng } = input.grouping;
  const names: string[] = [':size'];
  const data: Data[] = [numData('float64', compact(size, present))];
  spec.aggs.forEach((a, i) => {
    const parts = stateParts(a.kind);
    if (parts.length === 0) return;
    let arrays: Float64Array[] | undefined;
    if (a.kind === 'sum' || a.kind === 'count') {
      const c = input.column(i, parts[0]!);
      arrays = [raw ? sumBy(c, codes, ng, a.kind === 'count') : addRows(codes, asFloat64(c), ng)];
    } else if (a.kind === 'mean' && raw) {
      const c = input.column(i, 'sum');
      arrays = sumCount(codes, asFloat64(c), validMask(c), ng);
    } else if (a.kind === 'mean')
      arrays = [
        addRows(codes, asFloat64(input.column(i, 'sum')), ng),
        addRows(codes, asFloat64(input.column(i, 'count')), ng),
      ];
    else if (a.kind === 'var' || a.kind === 'std')
      arrays = raw
        ? momentsOf(input.column(i, 'count'), codes, ng)
        : mergeMoments(input.column(i, 'count'), input.column(i, 'mean'), input.column(i, 'm2'), codes, ng);
    if (arrays !== undefined) {
      arrays.forEach((arr, p) => {
        names.push(`${i}:${parts[p]!}`);
        data.push(numData('float64', compact(arr, present)));
      });
      return;
    }
    const c = input.column(i, 'pick');
    const rows = compactRows(pickRows(c, codes, ng, a.kind as 'min' | 'max' | 'first' | 'last'), present);
    names.push(`${i}:pick`);
    data.push(takeCol(c, rows));
  });
  return { names, data };
}

function distinctPairs(keys: readonly Col[], v: Col): Table {
  const f = factorize(
    [...keys, v].map((c) => [c]),
    false,
  );
  const first = firstRows(f.codes[0]!, f.ngroups);
  const kept = new Int32Array(first.length);
  let n = 0;
  for (const row of first) if (keys.every((k) => validAt(k, row))) kept[n++] = row;
  const rows = kept.subarray(0, n);
  return tableOf([...keys.map((_, j) => `k${j}`), 'v'], [...keys.map((k) => takeCol(k, rows)), takeCol(v, rows)]);
}

function stateOf(
  spec: GroupBySpec,
  input: StageInput,
  raw: boolean,
  sizeCol: Col | null,
  distinct: (Table | null)[],
): GroupState {
  const g = input.grouping;
  const rows = groupSizes(g.codes, g.ngroups);
  const size = sizeCol === null ? rows : addRows(g.codes, asFloat64(sizeCol), g.ngroups);
  const present = presentGroups(rows);
  const keyData = groupKeys(input.keys, g, present);
  const { names, data } = aggregate(spec, input, raw, size, present);
  return { table: tableOf([...spec.keys, ...names], [...keyData, ...data], keyData[0]?.length ?? 0), distinct };
}

const DENSE_KINDS = new Set(['sum', 'count', 'mean', 'size']);

/** The fast path (groupby-dense.ts) when it applies, else undefined. */
function densePartial(spec: GroupBySpec, t: Table, keys: readonly Col[]): DenseGroupState | undefined {
  const k = keys[0]!;
  if (keys.length !== 1 || k.kind !== 'num' || !(k.values instanceof Int32Array) || k.nullCount > 0) return undefined;
  if (!spec.aggs.every((a) => DENSE_KINDS.has(a.kind)) || !spec.aggs.some((a) => a.column !== null)) return undefined;
  const cols = spec.aggs.map((a) => (a.column === null ? null : columnOf(t, a.column)));
  if (cols.some((c) => c !== null && c.kind === 'str')) return undefined;
  const limit = Math.max(2 * t.numRows, 1 << 16);
  const keyValues = k.values.subarray(0, t.numRows);
  let first: DenseSlots | undefined;
  const perColumn = new Map<string, DenseSlots>();
  for (const [i, c] of cols.entries()) {
    const name = spec.aggs[i]!.column;
    if (c === null || name === null || perColumn.has(name)) continue;
    const r = denseSumCount(keyValues, asFloat64(c), validMask(c), limit, first);
    if (r === undefined) return undefined;
    first ??= r;
    perColumn.set(name, r);
  }
  const names = [':size'];
  const arrays = [first!.size];
  spec.aggs.forEach((a, i) => {
    if (a.column === null) return;
    const r = perColumn.get(a.column)!;
    for (const part of stateParts(a.kind)) {
      names.push(`${i}:${part}`);
      arrays.push(part === 'sum' ? r.sum : r.cnt);
    }
  });
  const { present, arrays: columns } = compactSlots(first!.size, arrays);
  const keyOut = allocInt32(present.length);
  for (let j = 0; j < present.length; j++) keyOut[j] = first!.base + present[j]!;
  return { dense: true, names: [spec.keys[0]!, ...names], keys: keyOut, columns, naggs: spec.aggs.length };
}

export function groupbyPartial(spec: GroupBySpec, table: Table): AnyGroupState {
  const t = singleBatch(table);
  const keys = spec.keys.map((k) => columnOf(t, k));
  const fast = densePartial(spec, t, keys);
  if (fast !== undefined) return fast;
  const grouping = groupRows(keys, t.numRows);
  const cols = spec.aggs.map((a) => (a.column === null ? null : columnOf(t, a.column)));
  const distinct = spec.aggs.map((a, i) => (a.kind === 'nunique' ? distinctPairs(keys, cols[i]!) : null));
  return stateOf(spec, { keys, grouping, column: (i) => cols[i]! }, true, null, distinct);
}

export function groupbyCombine(spec: GroupBySpec, anyStates: readonly AnyGroupState[]): AnyGroupState {
  if (anyStates.every(isDenseState)) {
    const dense = denseCombine(anyStates);
    if (dense !== undefined) return dense;
  }
  const states = anyStates.map(tableState);
  const t = singleBatch(concatTables(states.map((s) => s.table)));
  const keys = spec.keys.map((k) => columnOf(t, k));
  const grouping = groupRows(keys, t.numRows);
  const distinct = spec.aggs.map((a, i) => {
    if (a.kind !== 'nunique') return null;
    const all = singleBatch(concatTables(states.map((s) => s.distinct[i]!)));
    return distinctPairs(
      spec.keys.map((_, j) => columnOf(all, `k${j}`)),
      columnOf(all, 'v'),
    );
  });
  return stateOf(
    spec,
    { keys, grouping, column: (i, part) => columnOf(t, `${i}:${part}`) },
    false,
    columnOf(t, ':size'),
    distinct,
  );
}

registerModuleFunction(groupbyPartial, import.meta.url, 'groupbyPartial');
registerModuleFunction(groupbyCombine, import.meta.url, 'groupbyCombine');

warmGroupby(groupbyPartial, groupbyCombine, groupbyFinalize);
