/*
 * Plain-loop references for the DataFrame tests: rows of an Arrow table as JS objects, a seeded
 * random generator, and pandas-semantics group-by / reductions written as simple loops over row
 * objects (missing values and NaN skipped, std with ddof 1, groups sorted by key, missing keys
 * dropped), independent of the library's kernels.
 */
import { seededRandom } from '../../helpers/random.js';
import type { Table } from 'apache-arrow';
import { Task, type Graph } from '../../../src/core/graph/task.js';

export type Value = number | string | boolean | null;
export type Row = Record<string, Value>;

/** Rows of a table as plain objects (numbers, strings, booleans, null). */
export function rowsOf(t: Table): Row[] {
  const names = t.schema.fields.map((f) => f.name);
  const cols = names.map((n) => t.getChild(n)!);
  const out: Row[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const r: Row = {};
    names.forEach((n, k) => {
      const v: unknown = cols[k]!.get(i);
      r[n] = v === undefined ? null : typeof v === 'bigint' ? Number(v) : (v as Value);
    });
    out.push(r);
  }
  return out;
}

/** Deterministic uniform numbers in [0, 1). */
export const random = seededRandom;

export function isMissing(v: Value): boolean {
  return v === null || (typeof v === 'number' && Number.isNaN(v));
}

function present(values: readonly Value[]): number[] {
  return values.filter((v) => !isMissing(v)).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : (v as number)));
}

export type RefAgg = 'sum' | 'mean' | 'count' | 'min' | 'max' | 'std' | 'var' | 'size' | 'first' | 'last' | 'nunique';

/** A pandas-style aggregation of a group's values. */
export function aggregate(kind: RefAgg, values: readonly Value[], ddof = 1): Value {
  const p = values.filter((v) => !isMissing(v));
  switch (kind) {
    case 'size':
      return values.length;
    case 'count':
      return p.length;
    case 'nunique':
      return new Set(p).size;
    case 'first':
      return p[0] ?? null;
    case 'last':
      return p[p.length - 1] ?? null;
    case 'min':
    case 'max': {
      if (p.length === 0) return null;
      return p.reduce((a, b) => ((kind === 'min' ? b! < a! : b! > a!) ? b : a));
    }
    default: {
      const x = present(values);
      const sum = x.reduce((a, b) => a + b, 0);
      if (kind === 'sum') return sum;
      if (kind === 'mean') return x.length === 0 ? NaN : sum / x.length;
      const mean = sum / x.length;
      const m2 = x.reduce((a, b) => a + (b - mean) * (b - mean), 0);
      const variance = x.length - ddof <= 0 ? NaN : m2 / (x.length - ddof);
      return kind === 'var' ? variance : Math.sqrt(variance);
    }
  }
}

function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (isMissing(a)) return 1;
  if (isMissing(b)) return -1;
  return a! < b! ? -1 : 1;
}

/** Rows sorted by the given columns (missing last), stable. */
export function sortRows(
  rows: readonly Row[],
  by: readonly string[],
  ascending: readonly boolean[] = by.map(() => true),
): Row[] {
  return rows
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => {
      for (let k = 0; k < by.length; k++) {
        const va = a[by[k]!]!;
        const vb = b[by[k]!]!;
        let c = compareValues(va, vb);
        if (c !== 0 && !isMissing(va) && !isMissing(vb) && ascending[k] === false) c = -c;
        if (c !== 0) return c;
      }
      return i - j;
    })
    .map(([r]) => r);
}

/** groupby(keys).agg(...) as pandas computes it: groups sorted by key, missing keys dropped. */
export function groupbyRef(
  rows: readonly Row[],
  keys: readonly string[],
  aggs: readonly (readonly [string | null, RefAgg, string])[],
  ddof = 1,
): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    if (keys.some((k) => isMissing(r[k]!))) continue;
    const id = JSON.stringify(keys.map((k) => r[k]));
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = []));
    g.push(r);
  }
  const out: Row[] = [];
  for (const g of groups.values()) {
    const row: Row = {};
    for (const k of keys) row[k] = g[0]![k]!;
    for (const [column, kind, name] of aggs)
      row[name] = aggregate(kind, column === null ? g.map(() => 0) : g.map((r) => r[column]!), ddof);
    out.push(row);
  }
  return sortRows(out, keys);
}

/** True when a and b are equal, numbers to a relative tolerance (NaN equal to NaN and to null). */
export function sameValue(a: Value, b: Value, tol = 1e-9): boolean {
  if (a === b || (isMissing(a) && isMissing(b))) return true;
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

/** undefined when the row lists match (same length, same columns, values per sameValue), else a description. */
export function diffRows(got: readonly Row[], want: readonly Row[], tol = 1e-9): string | undefined {
  if (got.length !== want.length) return `got ${got.length} rows, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    for (const k of Object.keys(want[i]!)) {
      if (!sameValue(got[i]![k] ?? null, want[i]![k]!, tol))
        return `row ${i} column ${k}: got ${JSON.stringify(got[i]![k])}, want ${JSON.stringify(want[i]![k])} (row ${JSON.stringify(got[i])})`;
    }
  }
  return undefined;
}

/** Every task of a graph, inline sub-tasks (fused chains) included. */
export function tasksOf(graph: Graph): Task[] {
  const out: Task[] = [];
  const visit = (v: unknown): void => {
    if (v instanceof Task) {
      out.push(v);
      v.args.forEach(visit);
    } else if (Array.isArray(v)) v.forEach(visit);
  };
  for (const node of graph.values()) visit(node);
  return out;
}
