/*
 * Matrix product of 2-d chunks: the per-block kernels behind `matmul`/`dot`.
 *
 * A block of the result is C[i,j] = Σ_q A[i,q] · B[q,j] over the q-th blocks of the contraction
 * axis. `matmulAccumulate(outDtype, as, bs)` computes that whole sum into ONE output chunk (no
 * product per q is ever materialised); `matmulBlock(a, b, outDtype)` is the single-pair case.
 *
 * Float results (float64, float32) follow GotoBLAS / BLIS: for each NC-wide column block of C and
 * each KC-deep slice of every pair's contraction axis, the KC×NC slice of B is packed into
 * NR-wide k-major panels; for each MC-tall row block of A the MC×KC slice is packed into MR-tall
 * k-major panels; the micro-kernel (matmul-micro-kernel.ts: WebAssembly SIMD, or scalar
 * JavaScript where that is unavailable) multiplies the packed blocks into a tile buffer, which is
 * added into C. Packing reads any strides and any input dtype (converting to float64), so a
 * transposed view (`x.T` without a copy) or an int32 operand costs nothing extra. Products are
 * accumulated in float64, so a float32 result is computed in float64 and rounded once at the end
 * (more accurate than NumPy's float32 BLAS, and not bit-identical to it).
 *
 * Results with fewer than MR rows or NR columns (vector products) skip packing: plain loops.
 *
 * Integer and bool results take a simple i-k-j loop with NumPy's wrap-around semantics: int32
 * products by Math.imul, sums modulo 2^32, each result stored into the output typed array (so
 * int8/int16/uint* wrap to their width, exactly as NumPy's fixed-width integer matmul does). A bool
 * result is the logical OR over k of A[i,k] AND B[k,j]. Integer outputs assume integer inputs:
 * the caller promotes (NumPy's result_type) before choosing outDtype.
 *
 * 1-d operands (`dot` of vectors, matrix·vector) are handled by the graph side reshaping them to
 * 1×k / k×1 with reshapeChunk (zero copy) and dropping the axis from the result.
 */
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { ValueError } from '../../../src/core/errors.js';
import { type Chunk, newChunk } from '../chunk.js';
import { type DType, type NumericArray, isFloat } from '../dtype.js';
import { KC, MC, MR, NC, NR, type MicroKernel, type MicroKernelKind, microKernel } from './matmul-micro-kernel.js';

/** Test hook: force the scalar JavaScript micro-kernel instead of WebAssembly SIMD. */
let preferredKernel: MicroKernelKind | undefined;

/** Chooses the float micro-kernel for later calls in this thread (undefined: the fastest available). */
export function useMicroKernel(kind: MicroKernelKind | undefined): void {
  preferredKernel = kind;
}

/** A (m×k) · B (k×n) → m×n chunk of `outDtype`. Inputs may have any strides and dtypes. */
export function matmulBlock(a: Chunk, b: Chunk, outDtype: DType): Chunk {
  return matmulAccumulate(outDtype, [a], [b]);
}

/** Σ_q as[q] · bs[q] into one new m×n chunk of `outDtype` (as[q]: m×k_q, bs[q]: k_q×n). */
export function matmulAccumulate(outDtype: DType, as: readonly Chunk[], bs: readonly Chunk[]): Chunk {
  const [m, n] = checkOperands(as, bs);
  const out = newChunk(outDtype, [m, n]);
  if (m === 0 || n === 0) return out;
  if (isFloat(outDtype)) {
    const kernel = microKernel(preferredKernel);
    if (kernel === undefined)
      throw new ValueError(`matmul: the ${preferredKernel ?? 'float'} micro-kernel is unavailable in this runtime`);
    const target = out.data instanceof Float64Array ? out.data : new Float64Array(m * n);
    const skinny = m < MR || n < NR;
    for (let q = 0; q < as.length; q++) (skinny ? gemmDirect : gemmFloat)(kernel, as[q]!, bs[q]!, target, m, n);
    if (target !== out.data) out.data.set(target);
  } else if (outDtype === 'bool') {
    for (let q = 0; q < as.length; q++) gemmBool(as[q]!, bs[q]!, out.data, m, n);
  } else {
    for (let q = 0; q < as.length; q++) gemmInteger(as[q]!, bs[q]!, out.data, m, n);
  }
  return out;
}

/** [m, n] after checking every pair is 2-d with matching core dimensions (NumPy's wording). */
function checkOperands(as: readonly Chunk[], bs: readonly Chunk[]): [number, number] {
  if (as.length !== bs.length || as.length === 0) {
    throw new ValueError(
      `matmul: need the same positive number of left and right blocks, got ${as.length} and ${bs.length}`,
    );
  }
  const m = as[0]!.shape[0];
  const n = bs[0]!.shape[1];
  for (let q = 0; q < as.length; q++) {
    const a = as[q]!;
    const b = bs[q]!;
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw new ValueError(
        `matmul: blocks must be 2-d, got shapes (${a.shape.join(', ')}) and (${b.shape.join(', ')})`,
      );
    }
    if (a.shape[1] !== b.shape[0]) {
      throw new ValueError(
        'matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) ' +
          `(size ${b.shape[0]} is different from ${a.shape[1]})`,
      );
    }
    if (a.shape[0] !== m || b.shape[1] !== n) {
      throw new ValueError(`matmul: block ${q} gives a ${a.shape[0]}×${b.shape[1]} product, expected ${m}×${n}`);
    }
  }
  return [m ?? 0, n ?? 0];
}

/** c (m×n, contiguous float64) += a · b through the packed micro-kernel. */
function gemmFloat(kernel: MicroKernel, a: Chunk, b: Chunk, c: Float64Array, m: number, n: number): void {
  const k = a.shape[1]!;
  const [ars, acs] = a.stride as [number, number];
  const [brs, bcs] = b.stride as [number, number];
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncp = Math.ceil(nc / NR) * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b.data, b.offset + pc * brs + jc * bcs, brs, bcs, kc, nc, kernel.bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a.data, a.offset + ic * ars + pc * acs, ars, acs, mc, kc, kernel.ap);
        kernel.run(Math.ceil(mc / MR) * MR, ncp, kc);
        addTile(kernel.ct, ncp, c, ic * n + jc, n, mc, nc);
      }
    }
  }
}

/**
 * c += a · b by plain loops, for results with fewer than MR rows or NR columns (vector·matrix,
 * matrix·vector), where packing would cost as much as the product: a dot product per element
 * when c is one column, else row i of c accumulated as Σ_p a[i,p]·b[p,:].
 */
function gemmDirect(_kernel: MicroKernel, a: Chunk, b: Chunk, c: Float64Array, m: number, n: number): void {
  const k = a.shape[1]!;
  const ad = a.data,
    bd = b.data;
  const [ars, acs] = a.stride as [number, number];
  const [brs, bcs] = b.stride as [number, number];
  if (n < NR) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0, x = a.offset + i * ars, y = b.offset + j * bcs; p < k; p++, x += acs, y += brs)
          s += ad[x]! * bd[y]!;
        c[i * n + j] = c[i * n + j]! + s;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = ad[a.offset + i * ars + p * acs]!;
      for (let j = 0, y = b.offset + p * brs, o = i * n; j < n; j++, y += bcs, o++) c[o] = c[o]! + x * bd[y]!;
    }
  }
}

/** Packs the mc×kc matrix at src[o + i·rs + p·cs] into MR-row k-major panels, zero-padding the last. */
function packA(src: NumericArray, o: number, rs: number, cs: number, mc: number, kc: number, ap: Float64Array): void {
  let w = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    let s = o + ir * rs;
    if (rows === MR) {
      const s1 = rs,
        s2 = 2 * rs,
        s3 = 3 * rs;
      for (let p = 0; p < kc; p++, s += cs, w += MR) {
        ap[w] = src[s]!;
        ap[w + 1] = src[s + s1]!;
        ap[w + 2] = src[s + s2]!;
        ap[w + 3] = src[s + s3]!;
      }
    } else {
      for (let p = 0; p < kc; p++, s += cs, w += MR) {
        for (let r = 0; r < MR; r++) ap[w + r] = r < rows ? src[s + r * rs]! : 0;
      }
    }
  }
}

/** Packs the kc×nc matrix at src[o + p·rs + j·cs] into NR-column k-major panels, zero-padding the last. */
function packB(src: NumericArray, o: number, rs: number, cs: number, kc: number, nc: number, bp: Float64Array): void {
  let w = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    let s = o + jr * cs;
    if (cols === NR) {
      const s1 = cs,
        s2 = 2 * cs,
        s3 = 3 * cs;
      for (let p = 0; p < kc; p++, s += rs, w += NR) {
        bp[w] = src[s]!;
        bp[w + 1] = src[s + s1]!;
        bp[w + 2] = src[s + s2]!;
        bp[w + 3] = src[s + s3]!;
      }
    } else {
      for (let p = 0; p < kc; p++, s += rs, w += NR) {
        for (let j = 0; j < NR; j++) bp[w + j] = j < cols ? src[s + j * cs]! : 0;
      }
    }
  }
}

/** c[co + i·ldc + j] += ct[i·ldt + j] for the valid mc×nc corner of the tile buffer. */
function addTile(
  ct: Float64Array,
  ldt: number,
  c: Float64Array,
  co: number,
  ldc: number,
  mc: number,
  nc: number,
): void {
  for (let i = 0; i < mc; i++, co += ldc) {
    const t = i * ldt;
    for (let j = 0; j < nc; j++) c[co + j] = c[co + j]! + ct[t + j]!;
  }
}

/** out (m×n, contiguous integer) += a · b modulo 2^32, each sum wrapped by the store. */
function gemmInteger(a: Chunk, b: Chunk, out: NumericArray, m: number, n: number): void {
  const k = a.shape[1]!;
  const ad = a.data,
    bd = b.data;
  const [ars, acs] = a.stride as [number, number];
  const [brs, bcs] = b.stride as [number, number];
  const acc = new Int32Array(n);
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let j = 0; j < n; j++) acc[j] = out[oi + j]!;
    for (let p = 0; p < k; p++) {
      const x = ad[a.offset + i * ars + p * acs]! | 0;
      if (x === 0) continue;
      const bo = b.offset + p * brs;
      for (let j = 0; j < n; j++) acc[j] = acc[j]! + Math.imul(x, bd[bo + j * bcs]! | 0);
    }
    for (let j = 0; j < n; j++) out[oi + j] = acc[j]!;
  }
}

/** out (m×n, contiguous 0/1) |= OR_p (a[i,p] ≠ 0 AND b[p,j] ≠ 0). */
function gemmBool(a: Chunk, b: Chunk, out: NumericArray, m: number, n: number): void {
  const k = a.shape[1]!;
  const ad = a.data,
    bd = b.data;
  const [ars, acs] = a.stride as [number, number];
  const [brs, bcs] = b.stride as [number, number];
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let p = 0; p < k; p++) {
      if (ad[a.offset + i * ars + p * acs] === 0) continue;
      const bo = b.offset + p * brs;
      for (let j = 0; j < n; j++) if (bd[bo + j * bcs] !== 0) out[oi + j] = 1;
    }
  }
}

registerModuleFunction(matmulBlock, import.meta.url, 'matmulBlock');
registerModuleFunction(matmulAccumulate, import.meta.url, 'matmulAccumulate');
