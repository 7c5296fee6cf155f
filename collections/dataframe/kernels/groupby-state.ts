/*
 * The state of a group-by between its stages, and how raw rows become groups.
 *
 * A GroupState is one Arrow table with a row per group: the key columns, then per aggregation the
 * columns its combine step needs, named `<agg index>:<part>`:
 *   sum      :sum                 count    :count           size   :size (shared by all)
 *   mean     :sum :count          var/std  :count :mean :m2 (Chan's parallel variance)
 *   min max first last   :pick, the chosen value in the column's own dtype (strings included)
 * plus, for nunique, a separate table of the distinct (keys..., v) pairs, since a set does not fit
 * in one row. Partials, combined states and the input of finalize all have this shape.
 *
 * groupRows: one int32 key without nulls whose range is small gets dense slots (code = key - min, no
 * hashing); anything else is factorized (factorize.ts), rows with a missing key dropped (pandas
 * dropna=True). Slots no row fell into are compacted away by the caller.
 */
import type { Table } from 'apache-arrow';
import { factorize } from './factorize.js';
import type { Col } from './columns.js';
import { countCodes, denseInt32Codes } from './group-loops.js';

export type AggKind = 'sum' | 'mean' | 'count' | 'min' | 'max' | 'std' | 'var' | 'size' | 'first' | 'last' | 'nunique';

export interface AggSpec {
  /** The aggregated column (null for size). */
  readonly column: string | null;
  readonly kind: AggKind;
  /** Output column name. */
  readonly out: string;
}

export interface GroupBySpec {
  readonly keys: readonly string[];
  readonly aggs: readonly AggSpec[];
  readonly ddof: number;
}

export interface GroupState {
  readonly table: Table;
  /** Per aggregation, the distinct (keys..., v) table of a nunique, else null. */
  readonly distinct: readonly (Table | null)[];
}

export interface Grouping {
  /** Group of each row, -1 for a dropped row. */
  readonly codes: Int32Array;
  readonly ngroups: number;
  /** For dense slots: the key of slot 0 (key = denseMin + code). */
  readonly denseMin: number | undefined;
}

export function groupRows(keys: readonly Col[], n: number): Grouping {
  const k = keys[0]!;
  if (keys.length === 1 && k.kind === 'num' && k.values instanceof Int32Array && k.nullCount === 0) {
    const dense = denseInt32Codes(k.values.subarray(0, n), Math.max(2 * n, 1 << 16));
    if (dense !== undefined) return { codes: dense.codes, ngroups: dense.range, denseMin: dense.min };
  }
  const f = factorize(
    keys.map((c) => [c]),
    true,
  );
  return { codes: f.codes[0]!, ngroups: f.ngroups, denseMin: undefined };
}

/** Rows per group. */
export function groupSizes(codes: Int32Array, ngroups: number): Float64Array {
  return countCodes(codes, ngroups);
}

/** Indices of the groups with at least one row, or null when all have. */
export function presentGroups(size: Float64Array): Int32Array | null {
  let present = 0;
  for (let g = 0; g < size.length; g++) if (size[g]! > 0) present++;
  if (present === size.length) return null;
  const out = new Int32Array(present);
  for (let g = 0, j = 0; g < size.length; g++) if (size[g]! > 0) out[j++] = g;
  return out;
}

/** Names of the state columns of aggregation i. */
export function stateParts(kind: AggKind): string[] {
  switch (kind) {
    case 'sum':
      return ['sum'];
    case 'count':
      return ['count'];
    case 'mean':
      return ['sum', 'count'];
    case 'var':
    case 'std':
      return ['count', 'mean', 'm2'];
    case 'size':
      return [];
    case 'nunique':
      return [];
    default:
      return ['pick'];
  }
}
