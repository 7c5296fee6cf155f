/*
 * transpose and reshape.
 * transpose permutes the block grid and transposes each block (one task per block).
 * reshape (C order) is made blockwise in two steps. Trailing axes are first gathered into whole
 * blocks, so each block is a contiguous run of rows of the input; the row blocks along axis 0 are
 * sized so every run also holds a whole number of output rows (a multiple of lcm(input row,
 * output row) elements). Each block then reshapes without copying into a block of output rows.
 * Reshapes that only add or remove size-1 axes keep the blocks as they are.
 */
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../src/core/graph/task.js';
import { blockIndices } from '../blocks.js';
import { ArrayExpr } from '../array-expr.js';
import { reshapeChunk, transposeChunk } from '../kernels/copy.js';
import { rechunkTo } from './rechunk.js';

export function transpose(x: ArrayExpr, axes?: readonly number[]): ArrayExpr {
  const perm =
    axes === undefined ? [...Array(x.ndim).keys()].reverse() : [...axes].map((a) => (a < 0 ? a + x.ndim : a));
  if (perm.length !== x.ndim || [...perm].sort((a, b) => a - b).some((a, i) => a !== i)) {
    throw new ValueError(
      `axes ${JSON.stringify(axes)} don't match array of dimension ${x.ndim}; give a permutation of 0..${x.ndim - 1}`,
    );
  }
  if (perm.every((a, i) => a === i)) return x;
  const name = `transpose-${uniqueToken()}`;
  const tasks: Task[] = [];
  for (const idx of blockIndices(x.numblocks)) {
    const outIdx = perm.map((a) => idx[a]!);
    tasks.push(new Task(key(name, ...outIdx), transposeChunk, [new TaskRef(key(x.name, ...idx)), perm]));
  }
  const layer = new MaterializedLayer(name, tasks, [x.name]);
  return new ArrayExpr(
    HighLevelGraph.fromLayer(layer, [x.graph]),
    name,
    perm.map((a) => x.chunks[a]!),
    x.dtype,
  );
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** `shape` with one -1 resolved, checked against `size`. */
function resolveShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1))
    throw new ValueError(`invalid shape (${shape.join(', ')}): use non-negative integers and at most one -1`);
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (out.reduce((p, d) => p * d, 1) !== size || out.some((d) => !Number.isInteger(d))) {
    throw new ValueError(
      `cannot reshape array of size ${size} (shape (${from.join(', ')})) into shape (${shape.join(', ')})`,
    );
  }
  return out;
}

export function reshape(x: ArrayExpr, shape: readonly number[]): ArrayExpr {
  const out = resolveShape(shape, x.size, x.shape);
  if (out.length === x.ndim && out.every((d, i) => d === x.shape[i])) return x;
  const nonUnit = (s: readonly number[]): number[] => s.filter((d) => d !== 1);
  if (x.size > 0 && nonUnit(out).join() === nonUnit(x.shape).join()) return squeezeLike(x, out);
  const inRow = x.shape.slice(1).reduce((p, d) => p * d, 1);
  const outRow = out.slice(1).reduce((p, d) => p * d, 1);
  const rows = x.shape[0] ?? 1;
  // input rows per block must hold whole output rows: a multiple of lcm(inRow, outRow) / inRow
  const unit = inRow === 0 || outRow === 0 ? 1 : outRow / gcd(inRow, outRow);
  const target = Math.max(unit, Math.round((x.chunks[0]?.[0] ?? rows) / unit) * unit);
  const rowBlocks: number[] = [];
  for (let r = 0; r < rows; r += target) rowBlocks.push(Math.min(target, rows - r));
  if (rowBlocks.length === 0) rowBlocks.push(0);
  const gathered = rechunkTo(x, [rowBlocks, ...x.shape.slice(1).map((d) => [d])]);
  const name = `reshape-${uniqueToken()}`;
  const outFirst = rowBlocks.map((r) => (outRow === 0 ? 0 : (r * inRow) / outRow));
  const tasks = rowBlocks.map((_, b) => {
    const blockShape = [outFirst[b]!, ...out.slice(1)];
    const inIdx = [b, ...x.shape.slice(1).map(() => 0)];
    return new Task(key(name, b, ...out.slice(1).map(() => 0)), reshapeChunk, [
      new TaskRef(key(gathered.name, ...inIdx)),
      blockShape,
    ]);
  });
  const layer = new MaterializedLayer(name, tasks, [gathered.name]);
  const chunks = [outFirst, ...out.slice(1).map((d) => [d])];
  return new ArrayExpr(HighLevelGraph.fromLayer(layer, [gathered.graph]), name, chunks, x.dtype);
}

/** A reshape that only inserts or removes size-1 axes: same blocks, new block shapes. */
function squeezeLike(x: ArrayExpr, out: readonly number[]): ArrayExpr {
  const keep = x.shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const name = `reshape-${uniqueToken()}`;
  const tasks: Task[] = [];
  const outChunks: number[][] = [];
  let k = 0;
  const source: number[] = [];
  for (const d of out) {
    if (d === 1) {
      outChunks.push([1]);
      source.push(-1);
    } else {
      const axis = keep[k++]!;
      outChunks.push([...x.chunks[axis]!]);
      source.push(axis);
    }
  }
  for (const idx of blockIndices(x.numblocks)) {
    const outIdx = source.map((axis) => (axis < 0 ? 0 : idx[axis]!));
    const shape = source.map((axis, i) => (axis < 0 ? 1 : outChunks[i]![idx[axis]!]!));
    tasks.push(new Task(key(name, ...outIdx), reshapeChunk, [new TaskRef(key(x.name, ...idx)), shape]));
  }
  const layer = new MaterializedLayer(name, tasks, [x.name]);
  return new ArrayExpr(HighLevelGraph.fromLayer(layer, [x.graph]), name, outChunks, x.dtype);
}
