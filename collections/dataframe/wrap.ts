/*
 * wrap(result): the collection over an op's result, picked by what the result is (Dask's
 * `new_collection`, which picks the class by `get_collection_type(meta)`). A plan node says what
 * its partitions hold (`output`): tables make a DataFrame, one value a Scalar, written paths a
 * write result (written.ts). A SeriesPlan, an expression over a frame's rows, makes a Series.
 *
 * This module imports no collection class. Each class module registers its constructor here
 * when it loads, as the kernels register themselves with fn-ref.ts, so that the ops never import
 * a class and the classes never import one another in a circle: DataFrame.col makes a Series,
 * Series.toFrame a DataFrame, both through wrap. A module that wraps results of a class defined
 * below it imports that class's module (dataframe.ts imports series.ts and written.ts, series.ts
 * imports scalar.ts); a Series or a GroupBy exists only once dataframe.ts has loaded. So the
 * registry is complete whichever module a program imports first.
 */
import type { DataFrame } from './dataframe.js';
import { PlanNode } from './plan/plan-node.js';
import type { SeriesPlan } from './plan/series-plan.js';
import type { Scalar } from './scalar.js';
import type { Series } from './series.js';
import type { Written } from './written.js';

interface Makers {
  frame(plan: PlanNode): DataFrame;
  scalar(plan: PlanNode): Scalar;
  files(plan: PlanNode): Written;
  series(plan: SeriesPlan): Series;
}

const makers: Partial<Makers> = {};

/** Called once by the module of each collection class. */
export function registerCollection<K extends keyof Makers>(kind: K, make: Makers[K]): void {
  makers[kind] = make;
}

function maker<K extends keyof Makers>(kind: K): Makers[K] {
  const make = makers[kind];
  if (make === undefined) throw new Error(`dask-ts: no collection registered for '${kind}' plans`);
  return make;
}

export function wrap(plan: SeriesPlan): Series;
export function wrap(plan: PlanNode & { readonly output: 'scalar' }): Scalar;
export function wrap(plan: PlanNode & { readonly output: 'files' }): Written;
export function wrap(plan: PlanNode): DataFrame;
export function wrap(plan: PlanNode | SeriesPlan): DataFrame | Series | Scalar | Written {
  if (!(plan instanceof PlanNode)) return maker('series')(plan);
  switch (plan.output) {
    case 'frame':
      return maker('frame')(plan);
    case 'scalar':
      return maker('scalar')(plan);
    case 'files':
      return maker('files')(plan);
  }
}
