/*
 * Deterministic random chunks: the values of a block depend only on (seed, block index, shape,
 * dtype, distribution parameters), never on the scheduler, the thread or the order blocks run in.
 *
 * Stream per block: a 128-bit xoshiro128** state (Blackman & Vigna, 2018; period 2^128 − 1,
 * passes BigCrush) seeded by hashing with SplitMix64 (Steele, Lea & Flood, 2014), done in 32-bit
 * halves (no BigInt):
 *     x = mix(seed + γ);  for each block coordinate b: x = mix((x ^ b) + γ);
 *     state = [hi, lo of mix(x + γ)] ++ [hi, lo of mix(x + 2γ)]
 * where γ = 0x9E3779B97F4A7C15 and mix is SplitMix64's output function (a 64-bit bijection), so
 * different blocks get unrelated, practically never overlapping streams. Seeds and block
 * coordinates are non-negative integers below 2^53.
 *
 * From the stream of 32-bit words (consumed in order):
 *   random / uniform  float64: u = (w0 >>> 5 · 2^26 + w1 >>> 6) / 2^53, i.e. 53 random bits,
 *                     u ∈ [0, 1); value = low + (high − low)·u as NumPy (random is low 0, high 1).
 *                     float32: u = (w >>> 8) / 2^24 from one word, so a float32 random is in [0, 1).
 *   normal            Marsaglia's polar method (twice as fast here as Box–Muller's cos/sin): draw
 *                     x, y = 2u − 1 from two 53-bit uniforms until 0 < q = x² + y² < 1, then
 *                     z0 = x·f, z1 = y·f with f = √(−2 ln q / q); value = mean + std·z. Each try
 *                     takes 4 words (≈ 1.27 tries per pair); an odd count drops the last z1.
 *   randint           integers in [low, high), range = high − low ≤ 2^32, without modulo bias by
 *                     Lemire's multiply-and-reject (2019): m = x·range as 64 bits (computed exactly
 *                     in 16-bit halves), reject x while m mod 2^32 < 2^32 mod range, value =
 *                     low + ⌊m / 2^32⌋ (default dtype int32; bool is randint over [0, 2)).
 * The float64 uniform loop keeps the generator state in locals (≈ 2× faster than going through a
 * word buffer); the other distributions draw from a reused 4096-word buffer.
 */
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { ValueError } from '../../../src/core/errors.js';
import { type Chunk, newChunk } from '../chunk.js';
import { type DType, type NumericArray, dtypeInfo, isFloat } from '../dtype.js';

export type Distribution = 'random' | 'uniform' | 'normal' | 'randint';

export interface RandomSpec {
  readonly dist: Distribution;
  readonly seed: number;
  readonly block: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** uniform: default 0; randint: default 0. */
  readonly low?: number;
  /** uniform: default 1; randint: required (exclusive). */
  readonly high?: number;
  /** normal: default 0. */
  readonly mean?: number;
  /** normal: default 1, must be ≥ 0. */
  readonly std?: number;
}

/** One chunk of `spec.shape` drawn from the block's own stream (see above). */
export function randomChunk(spec: RandomSpec): Chunk {
  const out = newChunk(spec.dtype, spec.shape);
  randomFill(out.data, spec);
  return out;
}

/**
 * Fills `data` (spec.dtype's typed array, of the block's size) with the values randomChunk(spec)
 * would hold. Not a task function (it writes into its argument): it is for fused kernels that
 * draw into a reused scratch buffer instead of allocating a chunk (e.g. random(...).sum()).
 */
export function randomFill(data: NumericArray, spec: RandomSpec): void {
  const state = streamState(spec.seed, spec.block);
  switch (spec.dist) {
    case 'random':
      uniform(data, spec.dtype, state, 0, 1, 'random');
      break;
    case 'uniform':
      uniform(data, spec.dtype, state, spec.low ?? 0, spec.high ?? 1, 'uniform');
      break;
    case 'normal':
      normal(data, spec.dtype, state, spec.mean ?? 0, spec.std ?? 1);
      break;
    case 'randint':
      randint(data, spec.dtype, state, spec.low ?? 0, spec.high);
      break;
    default:
      throw new ValueError(`randomChunk: unknown distribution ${String(spec.dist)}`);
  }
}

function requireFloat(dtype: DType, dist: string): void {
  if (!isFloat(dtype)) throw new ValueError(`Unsupported dtype "${dtype}" for ${dist}; use float64 or float32`);
}

function uniform(data: NumericArray, dtype: DType, state: Int32Array, low: number, high: number, dist: string): void {
  requireFloat(dtype, dist);
  if (!Number.isFinite(low) || !Number.isFinite(high))
    throw new ValueError(`${dist}: low and high must be finite, got ${low} and ${high}`);
  if (data instanceof Float64Array) uniform64(data, state, low, high - low);
  else uniform32(data, state, low, high - low);
}

// ---------------------------------------------------------------------------------------------
// Seeding: SplitMix64 in 32-bit halves

/** 64-bit value as two unsigned 32-bit halves. */
type U64 = readonly [hi: number, lo: number];

const GAMMA: U64 = [0x9e3779b9, 0x7f4a7c15];
const M1: U64 = [0xbf58476d, 0x1ce4e5b9];
const M2: U64 = [0x94d049bb, 0x133111eb];
const TWO_32 = 4294967296;

function add64(a: U64, b: U64): U64 {
  const lo = a[1] + b[1];
  return [(a[0] + b[0] + (lo >= TWO_32 ? 1 : 0)) >>> 0, lo >>> 0];
}

function mul64(a: U64, b: U64): U64 {
  const [ah, al] = a;
  const [bh, bl] = b;
  const a0 = al & 0xffff,
    a1 = al >>> 16,
    b0 = bl & 0xffff,
    b1 = bl >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0,
    p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536);
  return [(carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0, lo];
}

/** z ^ (z >>> k) for 0 < k < 32. */
function xorShift(z: U64, k: number): U64 {
  return [(z[0] ^ (z[0] >>> k)) >>> 0, (z[1] ^ ((z[1] >>> k) | (z[0] << (32 - k)))) >>> 0];
}

/** SplitMix64's output function. */
function mix(z: U64): U64 {
  return xorShift(mul64(xorShift(mul64(xorShift(z, 30), M1), 27), M2), 31);
}

function toU64(v: number, what: string): U64 {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new ValueError(`random: ${what} must be a non-negative integer below 2^53, got ${v}`);
  return [Math.floor(v / TWO_32) >>> 0, v >>> 0];
}

/** The xoshiro128** state (4 words) of the stream of `block` under `seed`. */
export function streamState(seed: number, block: readonly number[]): Int32Array {
  let x = mix(add64(toU64(seed, 'seed'), GAMMA));
  for (const b of block) {
    const v = toU64(b, 'a block index');
    x = mix(add64([(x[0] ^ v[0]) >>> 0, (x[1] ^ v[1]) >>> 0], GAMMA));
  }
  const s01 = mix(add64(x, GAMMA));
  const s23 = mix(add64(add64(x, GAMMA), GAMMA));
  const state = Int32Array.of(s01[0], s01[1], s23[0], s23[1]);
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return state;
}

// ---------------------------------------------------------------------------------------------
// Generators

const TWO_M53 = 1 / 9007199254740992;
const TWO_M24 = 1 / 16777216;
const BUFFER_WORDS = 4096;
const buffer = new Int32Array(BUFFER_WORDS);

/** out[i] = low + scale·u_i with 53-bit u_i; the xoshiro128** step is inlined with state in locals. */
function uniform64(out: Float64Array, state: Int32Array, low: number, scale: number): void {
  let s0 = state[0]!,
    s1 = state[1]!,
    s2 = state[2]!,
    s3 = state[3]!;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    let r = Math.imul(s1, 5);
    const w0 = Math.imul((r << 7) | (r >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    r = Math.imul(s1, 5);
    const w1 = Math.imul((r << 7) | (r >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = low + scale * (((w0 >>> 5) * 67108864 + (w1 >>> 6)) * TWO_M53);
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** Fills words[0:n] with the next n outputs of the stream and advances `state`. */
function nextWords(state: Int32Array, words: Int32Array, n: number): void {
  let s0 = state[0]!,
    s1 = state[1]!,
    s2 = state[2]!,
    s3 = state[3]!;
  for (let i = 0; i < n; i++) {
    const r = Math.imul(s1, 5);
    words[i] = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** out[i] = low + scale·u_i with 24-bit u_i, one word each (float32 output). */
function uniform32(out: NumericArray, state: Int32Array, low: number, scale: number): void {
  const n = out.length;
  for (let i = 0; i < n;) {
    const m = Math.min(n - i, BUFFER_WORDS);
    nextWords(state, buffer, m);
    for (let j = 0; j < m; j++) out[i + j] = low + scale * ((buffer[j]! >>> 8) * TWO_M24);
    i += m;
  }
}

function normal(out: NumericArray, dtype: DType, state: Int32Array, mean: number, std: number): void {
  requireFloat(dtype, 'normal');
  if (!(std >= 0) || !Number.isFinite(std) || !Number.isFinite(mean))
    throw new ValueError(`normal: scale < 0 or not finite (std ${std}, mean ${mean})`);
  const n = out.length;
  let w = BUFFER_WORDS;
  for (let i = 0; i < n; i += 2) {
    let x: number, y: number, q: number;
    do {
      if (w === BUFFER_WORDS) {
        nextWords(state, buffer, BUFFER_WORDS);
        w = 0;
      }
      x = 2 * (((buffer[w]! >>> 5) * 67108864 + (buffer[w + 1]! >>> 6)) * TWO_M53) - 1;
      y = 2 * (((buffer[w + 2]! >>> 5) * 67108864 + (buffer[w + 3]! >>> 6)) * TWO_M53) - 1;
      w += 4;
      q = x * x + y * y;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    out[i] = mean + std * (x * f);
    if (i + 1 < n) out[i + 1] = mean + std * (y * f);
  }
}

function randint(out: NumericArray, dtype: DType, state: Int32Array, low: number, high: number | undefined): void {
  if (high === undefined) throw new ValueError('randint: high is required');
  const [min, max] = integerBounds(dtype);
  if (!Number.isInteger(low) || !Number.isInteger(high))
    throw new ValueError(`randint: low and high must be integers, got ${low} and ${high}`);
  if (low < min) throw new ValueError(`low is out of bounds for ${dtype}`);
  if (high - 1 > max) throw new ValueError(`high is out of bounds for ${dtype}`);
  if (low >= high) throw new ValueError('low >= high');
  const range = high - low;
  if (range > TWO_32) throw new ValueError(`randint: a range of ${range} values is more than 2^32`);
  const threshold = (TWO_32 - range) % range;
  const n = out.length;
  let w = BUFFER_WORDS;
  for (let i = 0; i < n; i++) {
    for (;;) {
      if (w === BUFFER_WORDS) {
        nextWords(state, buffer, BUFFER_WORDS);
        w = 0;
      }
      const x = buffer[w++]! >>> 0;
      // Lemire: x·range as 64 bits; its low word decides rejection, its high word is the value
      if (Math.imul(x, range) >>> 0 < threshold) continue;
      const hi = Math.floor(((x >>> 16) * range + Math.floor(((x & 0xffff) * range) / 65536)) / 65536);
      out[i] = low + hi;
      break;
    }
  }
}

/** [min, max] of an integer (or bool) dtype; a ValueError for floats (NumPy's randint refuses them). */
function integerBounds(dtype: DType): [number, number] {
  const { kind, bits } = dtypeInfo(dtype);
  if (kind === 'b') return [0, 1];
  if (kind === 'u') return [0, 2 ** bits - 1];
  if (kind === 'i') return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  throw new ValueError(`Unsupported dtype "${dtype}" for randint; use an integer dtype or bool`);
}

registerModuleFunction(randomChunk, import.meta.url, 'randomChunk');
