/*
 * series.valueCounts() and series.unique(), made of other ops over the Series' one-column frame:
 * valueCounts groups by the value, counts rows ('size' named 'count'), sorts by count
 * descending then by value, into one partition (missing values are skipped by the group-by);
 * unique drops duplicates, keeping the order of first appearance (a missing value counts once).
 */
import type { PlanNode } from '../plan/plan-node.js';
import type { SeriesPlan } from '../plan/series-plan.js';
import { column } from './column.js';
import { dropDuplicates } from './drop-duplicates.js';
import { groupbyAgg, groupKeys } from './groupby-agg.js';
import { repartition } from './repartition.js';
import { sortValues } from './sort-values.js';
import { toFrame } from './to-frame.js';

export function valueCounts(s: SeriesPlan): PlanNode {
  const frame = toFrame(s);
  const counts = groupbyAgg(frame, groupKeys(frame, s.name), [{ column: null, kind: 'size', out: 'count' }], {});
  return repartition(sortValues(counts, ['count', s.name], { ascending: [false, true] }), 1);
}

export function unique(s: SeriesPlan): SeriesPlan {
  return column(dropDuplicates(toFrame(s)), s.name);
}
