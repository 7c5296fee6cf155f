/*
 * matmul / dot for 1-d and 2-d arrays: block (i, j) of the product is one task that accumulates
 * A[i, k] · B[k, j] over every k block into one output buffer (kernels/matmul.ts), after the
 * contracted axis is given the same blocks on both sides. Vectors become 1-row or 1-column
 * matrices and the result is reshaped back, as NumPy defines matmul for them.
 */
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../src/core/graph/task.js';
import { ArrayExpr } from '../array-expr.js';
import { resultType } from '../dtype.js';
import { matmulAccumulate } from '../kernels/matmul.js';
import { rechunkTo } from './rechunk.js';
import { reshape } from './shape.js';

function matmul2d(a: ArrayExpr, b: ArrayExpr): ArrayExpr {
  const [m, k] = a.shape as [number, number];
  const [k2, n] = b.shape as [number, number];
  if (k !== k2) {
    throw new ValueError(
      `matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size ${k2} is different from ${k})`,
    );
  }
  const kChunks = a.chunks[1]!;
  const bb = rechunkTo(b, [kChunks, b.chunks[1]!]);
  const outDtype = resultType(a.dtype, b.dtype);
  const name = `matmul-${uniqueToken()}`;
  const tasks: Task[] = [];
  for (let i = 0; i < a.numblocks[0]!; i++) {
    for (let j = 0; j < bb.numblocks[1]!; j++) {
      const as = kChunks.map((_, kk) => new TaskRef(key(a.name, i, kk)));
      const bs = kChunks.map((_, kk) => new TaskRef(key(bb.name, kk, j)));
      tasks.push(new Task(key(name, i, j), matmulAccumulate, [outDtype, as, bs]));
    }
  }
  void m;
  void n;
  const layer = new MaterializedLayer(name, tasks, [a.name, bb.name]);
  return new ArrayExpr(
    HighLevelGraph.fromLayer(layer, [a.graph, bb.graph]),
    name,
    [a.chunks[0]!, bb.chunks[1]!],
    outDtype,
  );
}

export function matmul(a: ArrayExpr, b: ArrayExpr): ArrayExpr {
  if (!ArrayExpr.isExpr(b))
    throw new ValueError('matmul needs a dask-ts array as its second operand; wrap data with da.fromArray(...)');
  if (a.ndim === 0 || b.ndim === 0)
    throw new ValueError(
      'matmul: Input operand does not have enough dimensions (0-d arrays cannot be multiplied with matmul; use mul)',
    );
  if (a.ndim > 2 || b.ndim > 2)
    throw new ValueError(`matmul of ${a.ndim}-d and ${b.ndim}-d arrays is not supported; use 1-d or 2-d arrays`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const c = matmul2d(a2, b2);
  if (a.ndim === 1 && b.ndim === 1) return reshape(c, []);
  if (a.ndim === 1) return reshape(c, [c.shape[1]!]);
  if (b.ndim === 1) return reshape(c, [c.shape[0]!]);
  return c;
}
