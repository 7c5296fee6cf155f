/*
 * Test frames: deterministic columns with missing values in every column kind, made both as a
 * DataFrame and as plain rows for the references.
 */
import * as dd from '../../../src/dataframe.js';
import { random, type Row } from './reference.js';

export interface Mixed {
  readonly k: (number | null)[];
  readonly g: (string | null)[];
  readonly v: (number | null)[];
  readonly w: number[];
  readonly b: (boolean | null)[];
}

/** n rows: k int keys 0..9 (some missing), g strings (some missing), v floats (missing and NaN), w ints, b booleans. */
export function mixed(n: number, seed = 1): Mixed {
  const r = random(seed);
  const names = ['red', 'green', 'blue', 'cyan', 'über', 'a,b', 'q"t'];
  const out: Mixed = { k: [], g: [], v: [], w: [], b: [] };
  for (let i = 0; i < n; i++) {
    out.k.push(r() < 0.05 ? null : Math.floor(r() * 10));
    out.g.push(r() < 0.05 ? null : names[Math.floor(r() * names.length)]!);
    const x = r();
    out.v.push(x < 0.05 ? null : x < 0.08 ? NaN : Math.round((r() * 200 - 100) * 1000) / 1000);
    out.w.push(Math.floor(r() * 1000) - 500);
    out.b.push(r() < 0.05 ? null : r() < 0.5);
  }
  return out;
}

export function rowsOfMixed(m: Mixed): Row[] {
  return m.k.map((_, i) => ({ k: m.k[i]!, g: m.g[i]!, v: m.v[i]!, w: m.w[i]!, b: m.b[i]! }));
}

export function frameOf(m: Mixed, npartitions: number): dd.DataFrame {
  return dd.fromColumns({ k: m.k, g: m.g, v: m.v, w: Int32Array.from(m.w), b: m.b }, { npartitions });
}
