/*
 * NumPy broadcasting at graph-building time: the output shape of several operands (trailing
 * axes aligned; a size-1 axis stretches), and unified chunks. Along each output axis, every
 * operand that spans the axis (not stretched) must have the same block boundaries; the common
 * refinement of all their boundaries is used and operands are rechunked to it, as Dask's
 * unify_chunks does. Stretched axes keep their single block.
 */
import { ValueError } from '../../../src/core/errors.js';
import type { ArrayExpr } from '../array-expr.js';
import { offsetsOf } from '../normalize-chunks.js';
import { rechunkTo } from './rechunk.js';

export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const axis = ndim - s.length + i;
      const d = s[i]!;
      if (d === out[axis] || d === 1) continue;
      if (out[axis] === 1) out[axis] = d;
      else {
        const text = shapes.map((sh) => `(${sh.join(',')}${sh.length === 1 ? ',' : ''})`).join(' ');
        throw new ValueError(`operands could not be broadcast together with shapes ${text}`);
      }
    }
  }
  return out;
}

/** The common refinement of several block-size lists over the same length. */
function refine(lists: readonly (readonly number[])[]): number[] {
  const cuts = new Set<number>();
  for (const l of lists) for (const o of offsetsOf(l)) cuts.add(o);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 1; i < sorted.length; i++) out.push(sorted[i]! - sorted[i - 1]!);
  return out.length === 0 ? [0] : out;
}

/**
 * Operands rechunked to common blocks, and the output chunks. An operand axis is stretched when
 * its size is 1 and the output's is not; it then keeps one block.
 */
export function unifyChunks(arrays: readonly ArrayExpr[]): { arrays: ArrayExpr[]; chunks: number[][] } {
  const shape = broadcastShapes(arrays.map((a) => a.shape));
  const ndim = shape.length;
  const chunks: number[][] = [];
  for (let axis = 0; axis < ndim; axis++) {
    const spanning = arrays
      .map((a) => ({ a, i: axis - (ndim - a.ndim) }))
      .filter(({ a, i }) => i >= 0 && a.shape[i] === shape[axis])
      .map(({ a, i }) => a.chunks[i]!);
    chunks.push(spanning.length === 0 ? [shape[axis]!] : refine(spanning));
  }
  const unified = arrays.map((a) => {
    const target = a.chunks.map((c, i) => {
      const axis = ndim - a.ndim + i;
      return a.shape[i] === shape[axis] ? chunks[axis]! : c;
    });
    return rechunkTo(a, target);
  });
  return { arrays: unified, chunks };
}

/** Block index of an operand for output block `idx` (stretched axes read block 0). */
export function operandBlock(a: ArrayExpr, idx: readonly number[]): number[] {
  const offset = idx.length - a.ndim;
  return a.numblocks.map((nb, i) => (nb === 1 ? 0 : idx[offset + i]!));
}
