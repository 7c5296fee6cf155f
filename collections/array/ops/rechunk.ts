/*
 * rechunk: new block sizes for the same array. Along each axis, every output block is covered by
 * a run of input blocks; the pieces are the overlaps. An output block is then one task that
 * slices its pieces out of the input blocks and assembles them (inline sub-tasks, so no piece is
 * ever a stored intermediate): the memory a task needs is bounded by its output block plus the
 * input blocks it reads. An output block that equals an input block is an alias, not a copy.
 */
import { HighLevelGraph } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { Alias, Task, TaskRef, type GraphNode } from '../../../src/core/graph/task.js';
import { blockIndices } from '../blocks.js';
import { ArrayExpr } from '../array-expr.js';
import { assembleBlocks, sliceChunk } from '../kernels/copy.js';
import { LazyLayer } from '../lazy-layer.js';
import { normalizeChunks, offsetsOf, type ChunksInput } from '../normalize-chunks.js';

export type { ChunksInput };

interface Piece {
  readonly block: number;
  readonly start: number;
  readonly stop: number;
}

/** For each output block along one axis, the input pieces covering it. */
export function piecesAlong(from: readonly number[], to: readonly number[]): Piece[][] {
  const inOff = offsetsOf(from);
  const outOff = offsetsOf(to);
  const result: Piece[][] = [];
  let b = 0;
  for (let o = 0; o < to.length; o++) {
    const lo = outOff[o]!;
    const hi = outOff[o + 1]!;
    const pieces: Piece[] = [];
    while (b < from.length && inOff[b + 1]! <= lo && from[b]! > 0) b++;
    for (let j = b; j < from.length && inOff[j]! < hi; j++) {
      const s = Math.max(lo, inOff[j]!);
      const e = Math.min(hi, inOff[j + 1]!);
      if (e > s) pieces.push({ block: j, start: s - inOff[j]!, stop: e - inOff[j]! });
    }
    if (pieces.length === 0) pieces.push({ block: Math.min(b, from.length - 1), start: 0, stop: 0 });
    result.push(pieces);
  }
  return result;
}

function sameChunks(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  return a.length === b.length && a.every((c, i) => c.length === b[i]!.length && c.every((v, j) => v === b[i]![j]));
}

function cartesian<T>(lists: readonly (readonly T[])[]): T[][] {
  let out: T[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((item) => [...prefix, item]));
  return out;
}

export function rechunkTo(x: ArrayExpr, chunks: readonly (readonly number[])[]): ArrayExpr {
  if (sameChunks(x.chunks, chunks)) return x;
  const name = `rechunk-${uniqueToken()}`;
  const perAxis = x.chunks.map((c, axis) => piecesAlong(c, chunks[axis]!));
  const numblocks = chunks.map((c) => c.length);
  const build = function* (): Generator<GraphNode> {
    for (const idx of blockIndices(numblocks)) {
      const outKey = key(name, ...idx);
      const lists = idx.map((b, axis) => perAxis[axis]![b]!);
      const pieces = cartesian(lists);
      const whole =
        pieces.length === 1 && pieces[0]!.every((p, axis) => p.start === 0 && p.stop === x.chunks[axis]![p.block]);
      if (whole) {
        yield new Alias(outKey, key(x.name, ...pieces[0]!.map((p) => p.block)));
        continue;
      }
      const slices = pieces.map(
        (ps) =>
          new Task(outKey, sliceChunk, [
            new TaskRef(key(x.name, ...ps.map((p) => p.block))),
            {
              start: ps.map((p) => p.start),
              stop: ps.map((p) => p.stop),
              step: ps.map(() => 1),
              drop: ps.map(() => false),
            },
          ]),
      );
      const grid = lists.map((l) => l.length);
      yield slices.length === 1 ? slices[0]! : new Task(outKey, assembleBlocks, [x.dtype, grid, slices]);
    }
  };
  const keys = function* (): Generator<string> {
    for (const idx of blockIndices(numblocks)) yield key(name, ...idx);
  };
  const layer = new LazyLayer(name, [x.name], keys, build);
  return new ArrayExpr(HighLevelGraph.fromLayer(layer, [x.graph]), name, chunks, x.dtype);
}

/** x with new block sizes (any form normalizeChunks accepts). */
export function rechunk(x: ArrayExpr, chunks: ChunksInput): ArrayExpr {
  return rechunkTo(x, normalizeChunks(chunks, x.shape, x.dtype));
}
