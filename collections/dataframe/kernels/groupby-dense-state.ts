/*
 * The dense group-by state: what the int32 fast path (groupby-dense.ts) hands from a partial to
 * the combines and the finalize. It holds the same columns as a table state (groupby-state.ts:
 * ':size', then '<agg>:<part>' per aggregation) but as plain Float64Arrays in shared memory next
 * to the ascending int32 keys, with no Arrow schema or table around them: structured clone moves
 * it between threads as it is, so no table is built, encoded or decoded on the way. With about a
 * thousand groups per partial, building, encoding and decoding Arrow tables cost as much as the
 * combine itself.
 *
 * denseCombine adds the states into one window of slots [smallest key, largest key], state after
 * state and column by column, then keeps the slots with rows (every key a partial emits has
 * size >= 1). The additions per group happen in the order of the states, as in the general combine
 * over the concatenated states, so sums are the same to the bit. A window wider than
 * max(2 * keys, 65536) returns undefined, and the caller turns every state into its table form
 * (tableState) and runs the general combine.
 */
import { allocFloat64, allocInt32 } from '../dtype.js';
import { numData, tableOf } from './build.js';
import type { GroupState } from './groupby-state.js';

export interface DenseGroupState {
  readonly dense: true;
  /** The key column's name, then the state columns' names. */
  readonly names: readonly string[];
  /** The groups' keys, ascending. */
  readonly keys: Int32Array;
  /** One value per group for each state column (names[1..]). */
  readonly columns: readonly Float64Array[];
  /** Number of aggregations (a table state has a distinct entry per aggregation). */
  readonly naggs: number;
}

export type AnyGroupState = GroupState | DenseGroupState;

export function isDenseState(s: AnyGroupState): s is DenseGroupState {
  return (s as Partial<DenseGroupState>).dense === true;
}

/** The state as a table state (the general path's form). */
export function tableState(s: AnyGroupState): GroupState {
  if (!isDenseState(s)) return s;
  const data = [numData('int32', s.keys), ...s.columns.map((c) => numData('float64', c))];
  return { table: tableOf(s.names, data, s.keys.length), distinct: new Array<null>(s.naggs).fill(null) };
}

/** Adds v[r] into acc[keys[r] - lo] for every row r of one state column. */
function addInto(acc: Float64Array, keys: Int32Array, v: Float64Array, lo: number): void {
  for (let r = 0; r < keys.length; r++) acc[keys[r]! - lo]! += v[r]!;
}

/** The slots of `acc` whose size (acc[0]) is positive, as keys and compacted columns. */
function compact(acc: readonly Float64Array[], lo: number): { keys: Int32Array; columns: Float64Array[] } {
  const size = acc[0]!;
  let n = 0;
  for (let j = 0; j < size.length; j++) if (size[j]! > 0) n++;
  const keys = allocInt32(n);
  for (let j = 0, p = 0; j < size.length; j++) if (size[j]! > 0) keys[p++] = lo + j;
  const columns = acc.map((a) => {
    const out = allocFloat64(n);
    for (let p = 0; p < n; p++) out[p] = a[keys[p]! - lo]!;
    return out;
  });
  return { keys, columns };
}

/** The states combined, or undefined when their keys span too wide a window. */
export function denseCombine(states: readonly DenseGroupState[]): DenseGroupState | undefined {
  const first = states[0]!;
  let lo = 2147483647;
  let hi = -2147483648;
  let total = 0;
  for (const s of states) {
    const n = s.keys.length;
    if (n === 0) continue;
    lo = Math.min(lo, s.keys[0]!);
    hi = Math.max(hi, s.keys[n - 1]!);
    total += n;
  }
  if (total === 0) return { ...first, keys: allocInt32(0), columns: first.columns.map(() => allocFloat64(0)) };
  const width = hi - lo + 1;
  if (width > Math.max(2 * total, 1 << 16)) return undefined;
  const acc = first.columns.map(() => new Float64Array(width));
  for (const s of states) s.columns.forEach((c, j) => addInto(acc[j]!, s.keys, c, lo));
  return { ...first, ...compact(acc, lo) };
}
