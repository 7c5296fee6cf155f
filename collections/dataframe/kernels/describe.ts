/*
 * describe(): per numeric column count, mean, std (ddof 1), min, 25%, 50%, 75% and max, as a tree
 * reduction. A partition's state per column is the reduce.ts moments plus a sorted sample of its
 * values with a weight (rows each sample value stands for). Combining merges moments exactly and
 * samples by a weighted merge thinned back to at most `maxSample` values; quantiles are read with
 * pandas' linear interpolation over the weighted sample, so they are exact while a column has at
 * most `maxSample` present values and approximate (like Dask's) beyond.
 */
import type { Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { allocFloat64 } from '../dtype.js';
import { numData, tableOf } from './build.js';
import { columnOf, validAt } from './columns.js';
import { singleBatch } from './concat.js';
import { columnData } from './to-shared.js';
import { reduceCombine, reducePartial, type ReduceState } from './reduce.js';

export interface DescribeSpec {
  readonly columns: readonly string[];
  readonly maxSample: number;
}

interface Sample {
  values: number[];
  weights: number[];
}

export interface DescribeState {
  readonly moments: ReduceState[];
  readonly samples: Sample[];
}

function thin(values: number[], weights: number[], max: number): Sample {
  if (values.length <= max) return { values, weights };
  const total = weights.reduce((a, b) => a + b, 0);
  const out: Sample = { values: [], weights: [] };
  let acc = 0;
  let next = 0;
  for (let i = 0; i < values.length; i++) {
    acc += weights[i]!;
    while (next < max && acc >= ((next + 0.5) * total) / max) {
      out.values.push(values[i]!);
      out.weights.push(total / max);
      next++;
    }
  }
  return out;
}

export function describePartial(spec: DescribeSpec, table: Table): DescribeState {
  const t = singleBatch(table);
  const moments = spec.columns.map((c) => reducePartial({ expr: { op: 'col', name: c }, kind: 'std', ddof: 1 }, t));
  const samples = spec.columns.map((name) => {
    const c = columnOf(t, name);
    const v: number[] = [];
    if (c.kind === 'num')
      for (let i = 0; i < c.length; i++) if (validAt(c, i) && c.values[i]! === c.values[i]!) v.push(c.values[i]!);
    v.sort((a, b) => a - b);
    return thin(
      v,
      v.map(() => 1),
      spec.maxSample,
    );
  });
  return { moments, samples };
}

export function describeCombine(spec: DescribeSpec, states: readonly DescribeState[]): DescribeState {
  const moments = spec.columns.map((_, k) =>
    reduceCombine(
      { expr: { op: 'lit', value: null }, kind: 'std', ddof: 1 },
      states.map((s) => s.moments[k]!),
    ),
  );
  const samples = spec.columns.map((_, k) => {
    const pairs: [number, number][] = [];
    for (const s of states) s.samples[k]!.values.forEach((v, i) => pairs.push([v, s.samples[k]!.weights[i]!]));
    pairs.sort((a, b) => a[0] - b[0]);
    return thin(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
      spec.maxSample,
    );
  });
  return { moments, samples };
}

/** The q-quantile with linear interpolation between weighted sample points (pandas' default). */
function quantile(s: Sample, q: number): number {
  const total = s.weights.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const pos = q * (total - 1);
  let acc = 0;
  for (let i = 0; i < s.values.length; i++) {
    const w = s.weights[i]!;
    if (pos < acc + w - 1 || i === s.values.length - 1) return s.values[i]!;
    if (pos < acc + w) {
      const frac = pos - (acc + w - 1);
      return s.values[i]! + frac * (s.values[i + 1]! - s.values[i]!);
    }
    acc += w;
  }
  return NaN;
}

export function describeFinalize(spec: DescribeSpec, state: DescribeState): Table {
  const stats = ['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'];
  const columns = spec.columns.map((_, k) => {
    const m = reduceCombine({ expr: { op: 'lit', value: null }, kind: 'std', ddof: 1 }, [state.moments[k]!]);
    const s = state.samples[k]!;
    const std = m.n > 1 ? Math.sqrt(m.m2 / (m.n - 1)) : NaN;
    const values = [
      m.n,
      m.n === 0 ? NaN : m.sum / m.n,
      std,
      (m.min as number | null) ?? NaN,
      quantile(s, 0.25),
      quantile(s, 0.5),
      quantile(s, 0.75),
      (m.max as number | null) ?? NaN,
    ];
    const out = allocFloat64(values.length);
    out.set(values);
    return numData('float64', out);
  });
  return tableOf(['statistic', ...spec.columns], [columnData(stats, 'statistic', 'string'), ...columns], stats.length);
}

registerModuleFunction(describePartial, import.meta.url, 'describePartial');
registerModuleFunction(describeCombine, import.meta.url, 'describeCombine');
registerModuleFunction(describeFinalize, import.meta.url, 'describeFinalize');
