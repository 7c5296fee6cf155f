/*
 * The copy engine under slicing, transposing, assembling and reshaping: copy an n-d strided view
 * of one typed array into an n-d strided window of another (same element width), bit for bit.
 *
 * 1. Both sides are first viewed as the integer/float array of their element width
 *    (Float64Array, Int32Array, Int16Array, Uint8Array), so every dtype runs through at most four
 *    array kinds: the copy loops stay (nearly) monomorphic and float32 payloads move as raw bits.
 * 2. The view is simplified: axes of length 1 are dropped, and adjacent axes merge whenever they
 *    are contiguous in both source and destination (stride[i] = stride[i+1]·shape[i+1] on both
 *    sides). A C-contiguous copy collapses to one run; a block copied into a grid becomes rows.
 * 3. The leading axes are walked with an odometer; the last two go to `copy2d`, which copies
 *    rows that are contiguous on both sides with TypedArray.set (memcpy) when they are long, with
 *    a plain loop when short, and otherwise (a transpose: one side strided) walks 32×32 tiles so
 *    the strided side touches a few cache lines many times instead of many lines once.
 */
import { ValueError } from '../../../src/core/errors.js';
import type { NumericArray } from '../dtype.js';

/** A typed array viewed by element width: the only kinds the copy loops see. */
export type BitArray = Float64Array | Int32Array | Int16Array | Uint8Array;

/** `data` seen as the same bytes in the array kind of its element width (no copy). */
export function bitView(data: NumericArray): BitArray {
  const { buffer, byteOffset, length } = data;
  switch (data.BYTES_PER_ELEMENT) {
    case 8:
      return data instanceof Float64Array ? data : new Float64Array(buffer, byteOffset, length);
    case 4:
      return data instanceof Int32Array ? data : new Int32Array(buffer, byteOffset, length);
    case 2:
      return data instanceof Int16Array ? data : new Int16Array(buffer, byteOffset, length);
    default:
      return data instanceof Uint8Array ? data : new Uint8Array(buffer, byteOffset, length);
  }
}

/** One side of a copy: an array, the offset of element [0,…,0] and the stride of each axis. */
export interface StridedSide {
  readonly data: NumericArray;
  readonly offset: number;
  readonly stride: readonly number[];
}

const TILE = 32;
const SET_MIN = 48;

/** Copies the `shape` elements of `src` into `dst` (element widths must match). */
export function copyStrided(shape: readonly number[], src: StridedSide, dst: StridedSide): void {
  if (src.data.BYTES_PER_ELEMENT !== dst.data.BYTES_PER_ELEMENT) {
    throw new ValueError(
      `copy: element sizes differ (${src.data.BYTES_PER_ELEMENT} and ${dst.data.BYTES_PER_ELEMENT} bytes)`,
    );
  }
  if (shape.some((d) => d === 0)) return;
  const dims: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const s = src.stride[i]!;
    const t = dst.stride[i]!;
    const last = dims.length - 1;
    if (last >= 0 && ss[last] === s * d && ds[last] === t * d) {
      dims[last]! *= d;
      ss[last] = s;
      ds[last] = t;
    } else {
      dims.push(d);
      ss.push(s);
      ds.push(t);
    }
  }
  const a = bitView(src.data);
  const b = bitView(dst.data);
  if (dims.length === 0) {
    b[dst.offset] = a[src.offset]!;
    return;
  }
  if (dims.length === 1) {
    copy2d(a, src.offset, 1, dims[0]!, 0, ss[0]!, b, dst.offset, 0, ds[0]!);
    return;
  }
  walk(dims, ss, ds, a, src.offset, b, dst.offset);
}

/** Odometer over all but the last two axes, handing each 2-d slab to copy2d. */
function walk(dims: number[], ss: number[], ds: number[], a: BitArray, so: number, b: BitArray, dOff: number): void {
  const n = dims.length;
  const rows = dims[n - 2]!,
    cols = dims[n - 1]!;
  const srs = ss[n - 2]!,
    scs = ss[n - 1]!,
    drs = ds[n - 2]!,
    dcs = ds[n - 1]!;
  const outer = n - 2;
  const idx = new Array<number>(outer).fill(0);
  for (;;) {
    copy2d(a, so, rows, cols, srs, scs, b, dOff, drs, dcs);
    let axis = outer - 1;
    for (; axis >= 0; axis--) {
      so += ss[axis]!;
      dOff += ds[axis]!;
      if (++idx[axis]! < dims[axis]!) break;
      so -= ss[axis]! * dims[axis]!;
      dOff -= ds[axis]! * dims[axis]!;
      idx[axis] = 0;
    }
    if (axis < 0) return;
  }
}

/** Copies a rows×cols matrix: b[d + i·drs + j·dcs] = a[s + i·srs + j·scs]. */
function copy2d(
  a: BitArray,
  s: number,
  rows: number,
  cols: number,
  srs: number,
  scs: number,
  b: BitArray,
  d: number,
  drs: number,
  dcs: number,
): void {
  if (scs === 1 && dcs === 1) {
    if (cols >= SET_MIN) {
      for (let i = 0; i < rows; i++, s += srs, d += drs) b.set(a.subarray(s, s + cols), d);
    } else {
      for (let i = 0; i < rows; i++, s += srs, d += drs) {
        for (let j = 0; j < cols; j++) b[d + j] = a[s + j]!;
      }
    }
    return;
  }
  if (rows === 1 || cols < TILE) {
    for (let i = 0; i < rows; i++, s += srs, d += drs) {
      for (let j = 0, x = s, y = d; j < cols; j++, x += scs, y += dcs) b[y] = a[x]!;
    }
    return;
  }
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        for (let j = j0, x = s + i * srs + j0 * scs, y = d + i * drs + j0 * dcs; j < j1; j++, x += scs, y += dcs)
          b[y] = a[x]!;
      }
    }
  }
}
