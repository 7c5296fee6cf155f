/*
 * The inner engine of the float matmul: one packed block product, C_tile = A_block · B_block, in the
 * GotoBLAS arrangement that matmul.ts drives.
 *
 * Packed layout (matmul.ts writes it, this file reads it):
 *   ap  A block of mcp × kc (mcp a multiple of MR): row panels of MR rows, each stored k-major,
 *       ap[panel·MR·kc + p·MR + r] = A[panel·MR + r, p]
 *   bp  B block of kc × ncp (ncp a multiple of NR): column panels of NR columns, k-major,
 *       bp[panel·NR·kc + p·NR + c] = B[p, panel·NR + c]
 *   ct  the MR×NR tiles of the product, stored (not added) row-major with row stride ncp.
 * Panels are zero-padded, so the micro-kernel always computes a full MR×NR tile: for each column
 * panel of B (kc·NR doubles = 8 KB, stays in L1) it sweeps every row panel of A (the whole A block
 * stays in L2), keeping the 4×4 tile of C in registers and reading one MR-vector of A and one
 * NR-vector of B per step of k (16 multiply-adds for 8 loads).
 *
 * Two implementations of the same contract:
 *   'wasm-simd'  a WebAssembly module assembled here byte by byte (no toolchain): the 4×4 tile is
 *       8 f64x2 accumulators (two columns each); per k it loads B's 4 values as two f64x2, splats
 *       each of A's 4 values with v128.load64_splat and does 8 f64x2 mul + add. About 3.5× the
 *       scalar JavaScript kernel (≈13 GFLOP/s against ≈3.7 on this machine). ap, bp and ct live in
 *       the module's own memory, so packing writes straight into it.
 *   'js'  the same loop in scalar JavaScript with 16 local accumulators, used where WebAssembly
 *       SIMD is unavailable (e.g. node --jitless) and to test the wasm one against.
 * One instance per kind per thread, created on first use and reused by every call (the packing
 * buffers are scratch: a call leaves nothing in them that the next call needs).
 */

/** Rows of a micro-tile (A panel height). */
export const MR = 4;
/** Columns of a micro-tile (B panel width). */
export const NR = 4;
/** Depth of one packed block (k per pass). */
export const KC = 256;
/** Rows of A per packed block (multiple of MR). */
export const MC = 128;
/** Columns of B per packed block (multiple of NR). */
export const NC = 512;

export type MicroKernelKind = 'wasm-simd' | 'js';

export interface MicroKernel {
  readonly kind: MicroKernelKind;
  /** Packed A block, MC·KC doubles. */
  readonly ap: Float64Array;
  /** Packed B block, NC·KC doubles. */
  readonly bp: Float64Array;
  /** Product tiles, MC·NC doubles, row stride ncp. */
  readonly ct: Float64Array;
  /** ct[0:mcp, 0:ncp] = ap · bp over depth kc (1 ≤ kc ≤ KC, mcp ≤ MC, ncp ≤ NC, multiples of MR/NR). */
  run(mcp: number, ncp: number, kc: number): void;
}

const AP_DOUBLES = MC * KC;
const BP_DOUBLES = NC * KC;
const CT_DOUBLES = MC * NC;

const kernels = new Map<MicroKernelKind, MicroKernel | null>();

/** The thread's micro-kernel of `kind` (wasm-simd if available, else js); undefined if that kind cannot run here. */
export function microKernel(kind?: MicroKernelKind): MicroKernel | undefined {
  if (kind === undefined) return microKernel('wasm-simd') ?? microKernel('js');
  let k = kernels.get(kind);
  if (k === undefined) {
    k = kind === 'wasm-simd' ? createWasmKernel() : createJsKernel();
    kernels.set(kind, k);
  }
  return k ?? undefined;
}

// ---------------------------------------------------------------------------------------------
// JavaScript kernel

function createJsKernel(): MicroKernel {
  const ap = new Float64Array(AP_DOUBLES);
  const bp = new Float64Array(BP_DOUBLES);
  const ct = new Float64Array(CT_DOUBLES);
  return {
    kind: 'js',
    ap,
    bp,
    ct,
    run(mcp: number, ncp: number, kc: number): void {
      for (let jr = 0; jr < ncp; jr += NR) {
        for (let ir = 0; ir < mcp; ir += MR) jsTile(ap, ir * kc, bp, jr * kc, kc, ct, ir * ncp + jr, ncp);
      }
    },
  };
}

/** One 4×4 tile: ct[co + r·ldc + c] = Σ_p ap[ao + 4p + r] · bp[bo + 4p + c]. */
function jsTile(
  ap: Float64Array,
  ao: number,
  bp: Float64Array,
  bo: number,
  kc: number,
  ct: Float64Array,
  co: number,
  ldc: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ap[ao]!,
      a1 = ap[ao + 1]!,
      a2 = ap[ao + 2]!,
      a3 = ap[ao + 3]!;
    const b0 = bp[bo]!,
      b1 = bp[bo + 1]!,
      b2 = bp[bo + 2]!,
      b3 = bp[bo + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ao += 4;
    bo += 4;
  }
  ct[co] = c00;
  ct[co + 1] = c01;
  ct[co + 2] = c02;
  ct[co + 3] = c03;
  co += ldc;
  ct[co] = c10;
  ct[co + 1] = c11;
  ct[co + 2] = c12;
  ct[co + 3] = c13;
  co += ldc;
  ct[co] = c20;
  ct[co + 1] = c21;
  ct[co + 2] = c22;
  ct[co + 3] = c23;
  co += ldc;
  ct[co] = c30;
  ct[co + 1] = c31;
  ct[co + 2] = c32;
  ct[co + 3] = c33;
}

// ---------------------------------------------------------------------------------------------
// WebAssembly kernel: kernel(ap, bp, ct, mcp, ncp, kc, ldcBytes), all byte offsets / counts.

const AP_OFFSET = 0;
const BP_OFFSET = AP_OFFSET + AP_DOUBLES * 8;
const CT_OFFSET = BP_OFFSET + BP_DOUBLES * 8;
const MEMORY_PAGES = Math.ceil((CT_OFFSET + CT_DOUBLES * 8) / 65536);

type WasmGemm = (ap: number, bp: number, ct: number, mcp: number, ncp: number, kc: number, ldcBytes: number) => void;

/** The slice of the WebAssembly API used here (typed locally: the ES2023 lib does not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}

function createWasmKernel(): MicroKernel | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  const bytes = assembleKernelModule();
  let exports: Record<string, unknown>;
  try {
    if (!wasm.validate(bytes)) return null;
    exports = new wasm.Instance(new wasm.Module(bytes)).exports;
  } catch {
    return null;
  }
  const gemm = exports.gemm as WasmGemm;
  const memory = exports.memory as { readonly buffer: ArrayBuffer };
  const ap = new Float64Array(memory.buffer, AP_OFFSET, AP_DOUBLES);
  const bp = new Float64Array(memory.buffer, BP_OFFSET, BP_DOUBLES);
  const ct = new Float64Array(memory.buffer, CT_OFFSET, CT_DOUBLES);
  return {
    kind: 'wasm-simd',
    ap,
    bp,
    ct,
    run(mcp: number, ncp: number, kc: number): void {
      gemm(AP_OFFSET, BP_OFFSET, CT_OFFSET, mcp, ncp, kc, ncp * 8);
    },
  };
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vector(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: readonly number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  return vector([...text].map((ch) => [ch.charCodeAt(0)]));
}

// opcodes used below
const I32 = 0x7f;
const V128 = 0x7b;
const LOOP = [0x03, 0x40];
const END = [0x0b];
const BR_IF_0 = [0x0d, 0x00];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_LT_S = [0x48];
const I32_GT_S = [0x4a];
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const tee = (i: number): number[] => [0x22, ...uleb(i)];
const i32 = (v: number): number[] => [0x41, ...sleb(v)];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const V128_LOAD = (offset: number): number[] => [...simd(0), 4, ...uleb(offset)];
const V128_STORE = (offset: number): number[] => [...simd(11), 4, ...uleb(offset)];
const LOAD64_SPLAT = (offset: number): number[] => [...simd(10), 3, ...uleb(offset)];
const V128_ZERO = [...simd(12), ...new Array<number>(16).fill(0)];
const F64X2_ADD = simd(240);
const F64X2_MUL = simd(242);

// locals: params 0..6, then i32 ir jr p a b c, then v128 splat, NR/2 B vectors, MR·NR/2 accumulators
const [P_AP, P_BP, P_CT, P_MC, P_NC, P_KC, P_LDC] = [0, 1, 2, 3, 4, 5, 6];
const [L_IR, L_JR, L_P, L_A, L_B, L_C] = [7, 8, 9, 10, 11, 12];
const NV = NR / 2;
const L_SPLAT = 13;
const L_BV = 14;
const L_ACC = L_BV + NV;

/** The kernel's instructions: loops jr over B panels, ir over A panels, p over depth (all do-while). */
function kernelBody(): number[] {
  const code: number[] = [];
  const emit = (...parts: readonly number[][]): void => {
    for (const part of parts) code.push(...part);
  };
  emit(i32(0), set(L_JR), LOOP);
  emit(i32(0), set(L_IR), LOOP);
  for (let v = 0; v < MR * NV; v++) emit(V128_ZERO, set(L_ACC + v));
  emit(get(P_AP), get(L_IR), get(P_KC), I32_MUL, i32(8), I32_MUL, I32_ADD, set(L_A));
  emit(get(P_BP), get(L_JR), get(P_KC), I32_MUL, i32(8), I32_MUL, I32_ADD, set(L_B));
  emit(get(P_KC), set(L_P), LOOP);
  for (let v = 0; v < NV; v++) emit(get(L_B), V128_LOAD(16 * v), set(L_BV + v));
  for (let r = 0; r < MR; r++) {
    emit(get(L_A), LOAD64_SPLAT(8 * r), set(L_SPLAT));
    for (let v = 0; v < NV; v++) {
      const acc = L_ACC + r * NV + v;
      emit(get(acc), get(L_SPLAT), get(L_BV + v), F64X2_MUL, F64X2_ADD, set(acc));
    }
  }
  emit(get(L_A), i32(8 * MR), I32_ADD, set(L_A));
  emit(get(L_B), i32(8 * NR), I32_ADD, set(L_B));
  emit(get(L_P), i32(-1), I32_ADD, tee(L_P), i32(0), I32_GT_S, BR_IF_0, END);
  emit(get(P_CT), get(L_IR), get(P_LDC), I32_MUL, I32_ADD, get(L_JR), i32(8), I32_MUL, I32_ADD, set(L_C));
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < NV; v++) emit(get(L_C), get(L_ACC + r * NV + v), V128_STORE(16 * v));
    emit(get(L_C), get(P_LDC), I32_ADD, set(L_C));
  }
  emit(get(L_IR), i32(MR), I32_ADD, tee(L_IR), get(P_MC), I32_LT_S, BR_IF_0, END);
  emit(get(L_JR), i32(NR), I32_ADD, tee(L_JR), get(P_NC), I32_LT_S, BR_IF_0, END);
  emit(END);
  return code;
}

/** A module exporting `gemm` (7 i32 params, no result) and its `memory` of MEMORY_PAGES pages. */
function assembleKernelModule(): Uint8Array {
  const locals = vector([
    [...uleb(6), I32],
    [...uleb(1 + NV + MR * NV), V128],
  ]);
  const body = [...locals, ...kernelBody()];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector([[0x60, ...vector(new Array<number[]>(7).fill([I32])), 0]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, ...uleb(MEMORY_PAGES)]])),
    ...section(
      7,
      vector([
        [...name('gemm'), 0x00, 0],
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}
