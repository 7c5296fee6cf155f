/*
 * mapBlocks and blockwise: user functions applied block by block. The functions ship to workers
 * like Delayed ones (self-contained lambdas by source, exported functions by module reference).
 *
 * mapBlocks(fn, ...arrays): block (i, j) = fn(blockA(i, j), blockB(i, j), ...), after the arrays'
 * blocks are unified (with broadcasting). `chunks` gives the output blocks when fn changes their
 * shape, `dtype` the output dtype (the first array's by default).
 *
 * blockwise(fn, outIndex, [array, index], ...) follows Dask's index notation: each array has a
 * letter per axis ('ij', 'jk'); letters in the output ('ik') are looped over; a letter absent
 * from the output is contracted, and fn then receives, for that array, the list of its blocks
 * along the contracted axis.
 *
 * Block functions may return an ndarray, {data, shape}, a typed array or a number: asChunk
 * (an inline step after the call) turns it into a proper chunk.
 */
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../src/core/graph/task.js';
import { blockIndices } from '../blocks.js';
import { asChunk, type BlockResult } from '../kernels/as-chunk.js';
import type { Chunk } from '../chunk.js';
import { ArrayExpr } from '../array-expr.js';
import { checkDType, type DType } from '../dtype.js';
import { normalizeChunks, type ChunksInput } from '../normalize-chunks.js';
import { operandBlock, unifyChunks } from './broadcast.js';
import { rechunkTo } from './rechunk.js';

export interface MapBlocksOptions {
  dtype?: DType;
  /** Output block sizes, when fn changes the blocks' shapes (explicit per-axis sizes or a block size). */
  chunks?: ChunksInput;
  name?: string;
}

type BlockFn = (...blocks: Chunk[]) => BlockResult;

export function mapBlocks(fn: BlockFn, arrays: readonly ArrayExpr[], options: MapBlocksOptions = {}): ArrayExpr {
  if (arrays.length === 0) throw new ValueError('mapBlocks needs at least one array');
  const { arrays: unified, chunks } = unifyChunks(arrays);
  const dtype = checkDType(options.dtype ?? unified[0]!.dtype);
  let outChunks: number[][] = chunks;
  if (options.chunks !== undefined) {
    const given = options.chunks;
    outChunks =
      Array.isArray(given) && given.every((g) => Array.isArray(g))
        ? (given as number[][]).map((g) => [...g])
        : normalizeChunks(
            given,
            chunks.map((c) => c.reduce((s, v) => s + v, 0)),
            dtype,
          );
    if (outChunks.length !== chunks.length || outChunks.some((c, i) => c.length !== chunks[i]!.length)) {
      throw new ValueError(
        `mapBlocks: chunks must give one size per block of the input grid (${chunks.map((c) => c.length).join('×')} blocks)`,
      );
    }
  }
  const name = `${options.name ?? (fn.name || 'map-blocks')}-${uniqueToken()}`;
  const tasks: Task[] = [];
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const refs = unified.map((a) => new TaskRef(key(a.name, ...operandBlock(a, idx))));
    const k = key(name, ...idx);
    tasks.push(new Task(k, asChunk, [new Task(k, fn, refs), idx.map((b, d) => outChunks[d]![b]!)]));
  }
  const layer = new MaterializedLayer(
    name,
    tasks,
    unified.map((a) => a.name),
  );
  return new ArrayExpr(
    HighLevelGraph.fromLayer(
      layer,
      unified.map((a) => a.graph),
    ),
    name,
    outChunks,
    dtype,
  );
}

export interface BlockwiseOptions {
  dtype?: DType;
  name?: string;
}

export function blockwise(
  fn: (...args: (Chunk | Chunk[])[]) => BlockResult,
  outIndex: string,
  inputs: readonly (readonly [ArrayExpr, string])[],
  options: BlockwiseOptions = {},
): ArrayExpr {
  const letters = new Map<string, number[]>();
  for (const [a, ind] of inputs) {
    if (ind.length !== a.ndim)
      throw new ValueError(`blockwise: index '${ind}' has ${ind.length} letters for a ${a.ndim}-d array`);
    [...ind].forEach((l, d) => {
      const prev = letters.get(l);
      if (prev === undefined) letters.set(l, a.chunks[d]! as number[]);
      else if (prev.reduce((s, v) => s + v, 0) !== a.shape[d])
        throw new ValueError(`blockwise: index '${l}' has sizes ${prev.reduce((s, v) => s + v, 0)} and ${a.shape[d]}`);
    });
  }
  for (const l of outIndex)
    if (!letters.has(l)) throw new ValueError(`blockwise: output index '${l}' appears in no input`);
  const aligned = inputs.map(
    ([a, ind]) =>
      [
        rechunkTo(
          a,
          [...ind].map((l) => letters.get(l)!),
        ),
        ind,
      ] as const,
  );
  const contracted = [...letters.keys()].filter((l) => !outIndex.includes(l));
  const name = `${options.name ?? (fn.name || 'blockwise')}-${uniqueToken()}`;
  const tasks: Task[] = [];
  for (const idx of blockIndices([...outIndex].map((l) => letters.get(l)!.length))) {
    const at = new Map([...outIndex].map((l, i) => [l, idx[i]!]));
    const args = aligned.map(([a, ind]) => {
      const free = [...ind].filter((l) => contracted.includes(l));
      if (free.length === 0) return new TaskRef(key(a.name, ...[...ind].map((l) => at.get(l)!)));
      if (free.length > 1) throw new ValueError('blockwise: at most one contracted index per input is supported');
      const l = free[0]!;
      return letters
        .get(l)!
        .map((_, k) => new TaskRef(key(a.name, ...[...ind].map((m) => (m === l ? k : at.get(m)!)))));
    });
    const k = key(name, ...idx);
    tasks.push(new Task(k, asChunk, [new Task(k, fn, args), null]));
  }
  const layer = new MaterializedLayer(
    name,
    tasks,
    aligned.map(([a]) => a.name),
  );
  const chunks = [...outIndex].map((l) => letters.get(l)!);
  return new ArrayExpr(
    HighLevelGraph.fromLayer(
      layer,
      aligned.map(([a]) => a.graph),
    ),
    name,
    chunks,
    checkDType(options.dtype ?? aligned[0]![0].dtype),
  );
}
