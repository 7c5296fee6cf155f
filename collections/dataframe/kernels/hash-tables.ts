/*
 * Open-addressing hash tables for the group-by, join, dedupe and shuffle kernels, so no kernel
 * builds a JS string or a Map entry per row:
 *   ByteInterner  byte ranges (UTF-8 strings) → dense codes 0, 1, 2, ... in first-seen order; keeps
 *                 one copy of each distinct string, so it also builds dictionaries
 *   F64Map        float64 values → dense codes (-0 is 0; callers keep NaN out)
 * Both use linear probing over a power-of-two Int32Array of (code + 1), 0 meaning empty, grown at
 * half load. Hashes: FNV-1a over bytes, and a multiply-xorshift mix of a float64's two halves.
 */
import { allocBytes, allocInt32 } from '../dtype.js';

export function hashBytes(src: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
  return h >>> 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A 32-bit hash of a number; equal numbers (0 and -0 included) hash equally. */
export function hashNumber(x: number): number {
  f64[0] = x === 0 ? 0 : x;
  let h = Math.imul(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

export function mixHash(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 16;
  return h >>> 0;
}

export class ByteInterner {
  private slots: Int32Array;
  private hashes: Int32Array;
  private pool: Uint8Array;
  private used = 0;
  private offsets: Int32Array;
  count = 0;
  constructor(capacity = 64) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.hashes = new Int32Array(capacity + 1);
    this.offsets = new Int32Array(capacity + 1);
    this.pool = new Uint8Array(1024);
  }

  /** The code of the bytes src[start, end), adding them if new. */
  intern(src: Uint8Array, start: number, end: number): number {
    const h = hashBytes(src, start, end) | 0;
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const s = this.slots[p]!;
      if (s === 0) return this.add(p, h, src, start, end);
      const code = s - 1;
      if (this.hashes[code] !== h) continue;
      const o = this.offsets[code]!;
      if (this.offsets[code + 1]! - o !== len) continue;
      let same = true;
      for (let k = 0; k < len; k++) {
        if (this.pool[o + k] !== src[start + k]) {
          same = false;
          break;
        }
      }
      if (same) return code;
    }
  }

  private add(p: number, h: number, src: Uint8Array, start: number, end: number): number {
    const code = this.count++;
    if (code + 1 >= this.offsets.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.offsets = grow(this.offsets);
      this.hashes = grow(this.hashes);
    }
    const len = end - start;
    if (this.used + len > this.pool.length) {
      let cap = this.pool.length * 2;
      while (cap < this.used + len) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.pool.subarray(0, this.used));
      this.pool = next;
    }
    this.pool.set(src.subarray(start, end), this.used);
    this.used += len;
    this.offsets[code + 1] = this.used;
    this.hashes[code] = h;
    this.slots[p] = code + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let code = 0; code < this.count; code++) {
      let p = this.hashes[code]! & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = code + 1;
    }
    this.slots = slots;
  }

  /** The distinct strings in code order, as Utf8 offsets + bytes in shared memory. */
  finish(): { offsets: Int32Array; bytes: Uint8Array } {
    const offsets = allocInt32(this.count + 1);
    offsets.set(this.offsets.subarray(0, this.count + 1));
    const bytes = allocBytes(this.used);
    bytes.set(this.pool.subarray(0, this.used));
    return { offsets, bytes };
  }
}

export class F64Map {
  private slots: Int32Array;
  keys: Float64Array;
  count = 0;
  constructor(capacity = 64) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.keys = new Float64Array(Math.max(16, capacity));
  }

  /** The code of x, adding it if new. */
  code(x: number): number {
    const v = x === 0 ? 0 : x;
    const mask = this.slots.length - 1;
    for (let p = hashNumber(v) & mask; ; p = (p + 1) & mask) {
      const s = this.slots[p]!;
      if (s === 0) {
        const c = this.count++;
        if (c >= this.keys.length) {
          const k = new Float64Array(this.keys.length * 2);
          k.set(this.keys);
          this.keys = k;
        }
        this.keys[c] = v;
        this.slots[p] = c + 1;
        if (this.count * 2 > this.slots.length) this.rehash();
        return c;
      }
      if (this.keys[s - 1] === v) return s - 1;
    }
  }

  /** The code of x, or -1 when absent. */
  find(x: number): number {
    const v = x === 0 ? 0 : x;
    const mask = this.slots.length - 1;
    for (let p = hashNumber(v) & mask; ; p = (p + 1) & mask) {
      const s = this.slots[p]!;
      if (s === 0) return -1;
      if (this.keys[s - 1] === v) return s - 1;
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let c = 0; c < this.count; c++) {
      let p = hashNumber(this.keys[c]!) & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = c + 1;
    }
    this.slots = slots;
  }
}
