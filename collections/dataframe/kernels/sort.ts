/*
 * sortValues kernels: sampled quantiles → range partitions → local sort.
 *   sortSample      per partition: the present values of the first sort column among at most
 *                   8,192 rows drawn uniformly (all rows of a smaller partition), sorted and
 *                   thinned to at most `samples` evenly spaced ones, with the partition's count
 *                   of present rows
 *   sortBoundaries  all samples merged, each weighted by rows / samples of its partition, and
 *                   the values at cumulative weights j / nout taken: nout - 1 boundaries
 *   rangeSplit      each row's output partition by binary search among the boundaries (equal
 *                   values always land together; missing values in the last partition; for a
 *                   descending sort the partitions run from high to low), as a shuffle Split
 *   sortPartition   the local stable sort by all sort columns (argsort.ts)
 * Boundaries are JS numbers or strings, so they compare across partitions whatever each one's
 * dictionary; a dictionary column finds each entry's target once.
 */
import type { Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { argsort, sortBy, sortKeys } from './argsort.js';
import { boolAt, columnOf, rowString, stringAt, validAt, type Col } from './columns.js';
import { singleBatch } from './concat.js';
import { splitByTarget, type Split } from './shuffle.js';
import { takeTable } from './take.js';

export interface SortSpec {
  readonly by: readonly string[];
  readonly ascending: readonly boolean[];
  readonly nout: number;
  readonly samples: number;
}

type Bound = number | string;

export interface Sample {
  readonly values: Bound[];
  readonly rows: number;
}

function valueOf(c: Col, i: number): Bound {
  if (c.kind === 'num') return c.values[i]!;
  if (c.kind === 'bool') return boolAt(c, i) ? 1 : 0;
  return rowString(c, i);
}

/** Rows drawn to estimate a partition's quantiles (with replacement; all rows when fewer). */
const SAMPLE_ROWS = 8192;

export function sortSample(spec: SortSpec, table: Table): Sample {
  const t = singleBatch(table);
  const c = columnOf(t, spec.by[0]!);
  const keys = sortKeys(c, true);
  const n = t.numRows;
  let present = 0;
  for (let i = 0; i < n; i++) if (keys[i] === keys[i]) present++;
  // Sorting the whole partition only to read a few hundred quantiles from it cost as much as
  // the local sort itself: a uniform sample of rows estimates them to within ~1% of the rows.
  let rows: Int32Array;
  if (n <= SAMPLE_ROWS) rows = Int32Array.from({ length: n }, (_, i) => i);
  else {
    rows = new Int32Array(SAMPLE_ROWS);
    let seed = n >>> 0;
    for (let j = 0; j < SAMPLE_ROWS; j++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      rows[j] = Math.floor((seed / 4294967296) * n);
    }
  }
  const order = sortBy(keys, rows);
  let sampled = 0;
  while (sampled < order.length && keys[order[sampled]!] === keys[order[sampled]!]) sampled++;
  const k = Math.min(sampled, spec.samples);
  const values: Bound[] = [];
  for (let s = 0; s < k; s++) values.push(valueOf(c, order[Math.floor(((s + 0.5) * sampled) / k)]!));
  return { values, rows: present };
}

function cmp(a: Bound, b: Bound): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortBoundaries(spec: SortSpec, samples: readonly Sample[]): Bound[] {
  const weighted: [Bound, number][] = [];
  for (const s of samples) for (const v of s.values) weighted.push([v, s.rows / s.values.length]);
  weighted.sort((a, b) => cmp(a[0], b[0]));
  const total = weighted.reduce((acc, w) => acc + w[1], 0);
  const out: Bound[] = [];
  let acc = 0;
  let j = 1;
  for (const [v, w] of weighted) {
    acc += w;
    while (j < spec.nout && acc >= (j * total) / spec.nout) {
      out.push(v);
      j++;
    }
  }
  while (out.length < spec.nout - 1) out.push(weighted.length === 0 ? 0 : weighted[weighted.length - 1]![0]);
  return out;
}

/** Number of boundaries < x (strict) or <= x. */
function rank(bounds: readonly Bound[], x: Bound, strict: boolean): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = cmp(bounds[mid]!, x);
    if (c < 0 || (!strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function rangeSplit(spec: SortSpec, table: Table, bounds: readonly Bound[]): Split {
  const t = singleBatch(table);
  const c = columnOf(t, spec.by[0]!);
  const m = bounds.length;
  const asc = spec.ascending[0] ?? true;
  const targetOf = (x: Bound): number => (asc ? rank(bounds, x, false) : m - rank(bounds, x, true));
  const entry =
    c.kind === 'str' && c.codes !== null
      ? Int32Array.from({ length: c.nstrings }, (_, s) => targetOf(stringAt(c, s)))
      : null;
  const target = new Int32Array(t.numRows);
  for (let i = 0; i < target.length; i++) {
    if (!validAt(c, i) || (c.kind === 'num' && c.values[i]! !== c.values[i]!)) target[i] = spec.nout - 1;
    else target[i] = entry !== null && c.kind === 'str' ? entry[c.codes![i]!]! : targetOf(valueOf(c, i));
  }
  return splitByTarget(t, target, spec.nout);
}

export function sortPartition(spec: SortSpec, table: Table): Table {
  const t = singleBatch(table);
  const order = argsort(
    spec.by.map((b) => columnOf(t, b)),
    spec.ascending,
    t.numRows,
  );
  return takeTable(t, order);
}

registerModuleFunction(sortSample, import.meta.url, 'sortSample');
registerModuleFunction(sortBoundaries, import.meta.url, 'sortBoundaries');
registerModuleFunction(rangeSplit, import.meta.url, 'rangeSplit');
registerModuleFunction(sortPartition, import.meta.url, 'sortPartition');
