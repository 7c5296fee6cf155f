/*
 * The last stage of a group-by: from a combined GroupState to the output partition. Each
 * aggregation's value is computed from its state columns (mean = sum / count, var = m2 /
 * (count - ddof), std its root, NaN where undefined, as pandas gives), counts as int32, picks as
 * they are, nunique by counting each group's distinct present values. The rows are then sorted by
 * the keys (argsort.ts), so the result is ordered by key like pandas' groupby(sort=True). A dense
 * state (groupby-dense-state.ts: sums, counts, means and sizes over int32 keys, already ascending)
 * is finalised straight from its arrays, by the same formulas.
 */
import type { Data, Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { allocFloat64, allocInt32 } from '../dtype.js';
import { numData, tableOf } from './build.js';
import { columnOf, validAt, type Col } from './columns.js';
import { singleBatch } from './concat.js';
import { factorize } from './factorize.js';
import { argsort } from './argsort.js';
import { takeTable } from './take.js';
import type { GroupBySpec } from './groupby-state.js';
import { isDenseState, type AnyGroupState, type DenseGroupState } from './groupby-dense-state.js';

function values(c: Col): ArrayLike<number> {
  if (c.kind !== 'num') throw new Error('groupby state column is not numeric');
  return c.values;
}

function toInt32(c: Col, n: number): Data {
  return int32Of(values(c), n);
}

function int32Of(v: ArrayLike<number>, n: number): Data {
  const out = allocInt32(n);
  for (let g = 0; g < n; g++) out[g] = v[g]!;
  return numData('int32', out);
}

function ratio(num: ArrayLike<number>, den: ArrayLike<number>, n: number, sub: number, root: boolean): Data {
  const out = allocFloat64(n);
  for (let g = 0; g < n; g++) {
    const d = den[g]! - sub;
    const r = d > 0 ? num[g]! / d : NaN;
    out[g] = root ? Math.sqrt(r) : r;
  }
  return numData('float64', out);
}

/** Per group of the state, the number of distinct present values in its distinct table. */
function countDistinct(keys: readonly Col[], distinct: Table, n: number): Data {
  const d = singleBatch(distinct);
  const dkeys = keys.map((_, j) => columnOf(d, `k${j}`));
  const v = columnOf(d, 'v');
  const f = factorize(
    keys.map((k, j) => [k, dkeys[j]!]),
    false,
  );
  const out = allocInt32(n);
  const codes = f.codes[1]!;
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    if (g >= 0 && g < n && validAt(v, i) && !(v.kind === 'num' && v.values[i]! !== v.values[i]!)) out[g]!++;
  }
  return numData('int32', out);
}

/** True for one numeric key column without missing values already in ascending order (dense slots give that). */
function isSortedNumeric(keys: readonly Col[], n: number): boolean {
  const k = keys[0]!;
  if (keys.length !== 1 || k.kind !== 'num' || k.nullCount > 0) return false;
  const v = k.values;
  for (let i = 1; i < n; i++) if (!(v[i - 1]! <= v[i]!)) return false;
  return true;
}

/** The output of a dense state: keys as they are (ascending), then each aggregation. */
function denseFinalize(spec: GroupBySpec, s: DenseGroupState): Table {
  const n = s.keys.length;
  const col = (name: string): Float64Array => s.columns[s.names.indexOf(name) - 1]!;
  const data: Data[] = [numData('int32', s.keys)];
  spec.aggs.forEach((a, i) => {
    switch (a.kind) {
      case 'sum':
        data.push(numData('float64', col(`${i}:sum`)));
        break;
      case 'count':
        data.push(int32Of(col(`${i}:count`), n));
        break;
      case 'size':
        data.push(int32Of(col(':size'), n));
        break;
      case 'mean':
        data.push(ratio(col(`${i}:sum`), col(`${i}:count`), n, 0, false));
        break;
      default:
        throw new Error(`groupby: a dense state has no ${a.kind} aggregation`);
    }
  });
  return tableOf([...spec.keys, ...spec.aggs.map((a) => a.out)], data, n);
}

export function groupbyFinalize(spec: GroupBySpec, state: AnyGroupState): Table {
  if (isDenseState(state)) return denseFinalize(spec, state);
  const t = singleBatch(state.table);
  const n = t.numRows;
  const keys = spec.keys.map((k) => columnOf(t, k));
  const col = (name: string): Col => columnOf(t, name);
  const raw = (name: string): Data => t.batches[0]!.data.children[t.schema.fields.findIndex((f) => f.name === name)]!;
  const data: Data[] = spec.keys.map((k) => raw(k));
  spec.aggs.forEach((a, i) => {
    switch (a.kind) {
      case 'sum':
        data.push(raw(`${i}:sum`));
        break;
      case 'count':
        data.push(toInt32(col(`${i}:count`), n));
        break;
      case 'size':
        data.push(toInt32(col(':size'), n));
        break;
      case 'mean':
        data.push(ratio(values(col(`${i}:sum`)), values(col(`${i}:count`)), n, 0, false));
        break;
      case 'var':
      case 'std':
        data.push(ratio(values(col(`${i}:m2`)), values(col(`${i}:count`)), n, spec.ddof, a.kind === 'std'));
        break;
      case 'nunique':
        data.push(countDistinct(keys, state.distinct[i]!, n));
        break;
      default:
        data.push(raw(`${i}:pick`));
    }
  });
  const out = tableOf([...spec.keys, ...spec.aggs.map((a) => a.out)], data, n);
  if (isSortedNumeric(keys, n)) return out;
  const order = argsort(
    keys,
    keys.map(() => true),
    n,
  );
  return takeTable(out, order);
}

registerModuleFunction(groupbyFinalize, import.meta.url, 'groupbyFinalize');
