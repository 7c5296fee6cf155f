/*
 * Block-grid helpers shared by the array operations: iterating every block index of a grid in
 * C order, and the keys of an array's blocks as Dask's nested lists (__dask_keys__).
 */
import { key } from '../../src/core/graph/keys.js';
import type { KeyTree } from '../../src/core/compute.js';

/** Every index of a grid with `numblocks` blocks per axis, in C order. */
export function* blockIndices(numblocks: readonly number[]): Generator<number[]> {
  const n = numblocks.length;
  if (numblocks.some((b) => b === 0)) return;
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    yield idx.slice();
    let axis = n - 1;
    while (axis >= 0) {
      idx[axis]! += 1;
      if (idx[axis]! < numblocks[axis]!) break;
      idx[axis] = 0;
      axis -= 1;
    }
    if (axis < 0) return;
  }
}

/** The keys of every block, nested one list per axis (a 0-d array has one key). */
export function nestedKeys(name: string, numblocks: readonly number[], prefix: number[] = []): KeyTree {
  if (prefix.length === numblocks.length) return key(name, ...prefix);
  const out: KeyTree[] = [];
  for (let i = 0; i < numblocks[prefix.length]!; i++) out.push(nestedKeys(name, numblocks, [...prefix, i]));
  return out;
}

/** Flattens nested per-block values (as arranged by nestedKeys) in C order. */
export function flattenNested(values: unknown, depth: number): unknown[] {
  if (depth === 0) return [values];
  return (values as unknown[]).flatMap((v) => flattenNested(v, depth - 1));
}
