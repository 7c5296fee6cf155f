/*
 * concatenate and stack. Concatenation only relabels blocks: output block (.., i, ..) along the
 * axis is an alias of the block of whichever input holds it, so nothing is copied. The other
 * axes must agree in size and get common blocks (inputs are rechunked where they differ); dtypes
 * promote. stack inserts a size-1 axis in every input, then concatenates along it.
 */
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { Alias } from '../../../src/core/graph/task.js';
import { blockIndices } from '../blocks.js';
import { ArrayExpr } from '../array-expr.js';
import { resultType } from '../dtype.js';
import { offsetsOf } from '../normalize-chunks.js';
import { astype } from './elementwise.js';
import { rechunkTo } from './rechunk.js';
import { reshape } from './shape.js';

function normalizeAxis(axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis >= ndim || axis < -ndim)
    throw new ValueError(`axis ${axis} is out of bounds for array of dimension ${ndim}`);
  return axis < 0 ? axis + ndim : axis;
}

function refine(lists: readonly (readonly number[])[]): number[] {
  const cuts = [...new Set(lists.flatMap((l) => offsetsOf(l)))].sort((a, b) => a - b);
  const out = cuts.slice(1).map((c, i) => c - cuts[i]!);
  return out.length === 0 ? [0] : out;
}

export function concatenate(arrays: readonly ArrayExpr[], options: { axis?: number } = {}): ArrayExpr {
  if (arrays.length === 0) throw new ValueError('need at least one array to concatenate');
  const ndim = arrays[0]!.ndim;
  if (ndim === 0) throw new ValueError('zero-dimensional arrays cannot be concatenated');
  const axis = normalizeAxis(options.axis ?? 0, ndim);
  for (const [i, a] of arrays.entries()) {
    if (a.ndim !== ndim)
      throw new ValueError(
        `all the input arrays must have same number of dimensions, but the array at index 0 has ${ndim} dimension(s) and the array at index ${i} has ${a.ndim} dimension(s)`,
      );
    for (let d = 0; d < ndim; d++) {
      if (d !== axis && a.shape[d] !== arrays[0]!.shape[d]) {
        throw new ValueError(
          `all the input array dimensions except for the concatenation axis must match exactly, but along dimension ${d}, the array at index 0 has size ${arrays[0]!.shape[d]} and the array at index ${i} has size ${a.shape[d]}`,
        );
      }
    }
  }
  const dtype = arrays.map((a) => a.dtype).reduce(resultType);
  const common = arrays[0]!.chunks.map((_, d) => (d === axis ? [] : refine(arrays.map((a) => a.chunks[d]!))));
  const inputs = arrays.map((a) =>
    astype(
      rechunkTo(
        a,
        a.chunks.map((c, d) => (d === axis ? c : common[d]!)),
      ),
      dtype,
    ),
  );
  const name = `concatenate-${uniqueToken()}`;
  const nodes: Alias[] = [];
  let base = 0;
  for (const a of inputs) {
    for (const idx of blockIndices(a.numblocks)) {
      const out = idx.map((b, d) => (d === axis ? b + base : b));
      nodes.push(new Alias(key(name, ...out), key(a.name, ...idx)));
    }
    base += a.numblocks[axis]!;
  }
  const chunks = common.map((c, d) => (d === axis ? inputs.flatMap((a) => a.chunks[axis]!) : c));
  const layer = new MaterializedLayer(
    name,
    nodes,
    inputs.map((a) => a.name),
  );
  return new ArrayExpr(
    HighLevelGraph.fromLayer(
      layer,
      inputs.map((a) => a.graph),
    ),
    name,
    chunks,
    dtype,
  );
}

export function stack(arrays: readonly ArrayExpr[], options: { axis?: number } = {}): ArrayExpr {
  if (arrays.length === 0) throw new ValueError('need at least one array to stack');
  const shape = arrays[0]!.shape;
  for (const a of arrays) {
    if (a.shape.join() !== shape.join()) throw new ValueError('all input arrays must have the same shape');
  }
  const axis = normalizeAxis(options.axis ?? 0, shape.length + 1);
  const expanded = arrays.map((a) => reshape(a, [...shape.slice(0, axis), 1, ...shape.slice(axis)]));
  return concatenate(expanded, { axis });
}
