/*
 * NumPy broadcasting: shapes are aligned at their trailing dimensions (missing leading dimensions
 * count as 1); along each dimension the extents must be equal or 1, and an extent of 1 stretches
 * to the other (an array read along a stretched dimension has stride 0). The error message is
 * NumPy's, so users find it when they search.
 */
import { ValueError } from '../../../src/core/errors.js';
import type { Chunk } from '../chunk.js';
import type { LoopArray } from './elementwise-loops.js';

/** `(2,3)`, `(4,)`, `()` as NumPy prints shapes. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(',')})`;
}

/** The broadcast shape of `shapes`, or NumPy's ValueError. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  let ndim = 0;
  for (const s of shapes) ndim = Math.max(ndim, s.length);
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    const lead = ndim - s.length;
    for (let d = 0; d < s.length; d++) {
      const e = s[d]!;
      const cur = out[lead + d]!;
      if (e === cur || e === 1) continue;
      if (cur !== 1) {
        throw new ValueError(
          `operands could not be broadcast together with shapes ${shapes.map(formatShape).join(' ')}`,
        );
      }
      out[lead + d] = e;
    }
  }
  return out;
}

/** How `chunk` is read when broadcast to `shape`: its strides in that shape's dimensions, 0 where stretched. */
export function broadcastView(chunk: Chunk, shape: readonly number[]): LoopArray {
  const lead = shape.length - chunk.shape.length;
  const stride = shape.map((_, d) => {
    const own = d - lead;
    if (own < 0 || chunk.shape[own] === 1) return 0;
    return chunk.stride[own]!;
  });
  return { stride, offset: chunk.offset };
}
