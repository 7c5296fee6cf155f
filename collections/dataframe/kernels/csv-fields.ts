/*
 * Typed column builders for the CSV parser: each takes fields as byte ranges of the block and
 * writes them straight into a growing typed array (int32, float64, bool) or a dictionary of
 * strings (a ByteInterner: every distinct string stored once, rows keep int32 codes), so no JS
 * string is made per field. A missing value (an empty field; for numbers and booleans also NA,
 * N/A, NaN, nan, null, NULL, None) becomes null. A field that does not parse as the column's
 * dtype throws a CsvParseError naming the file, the line, the column and the value.
 *
 * Numbers: an optional sign, digits and an optional fraction whose digits make an integer below
 * 2^53 are computed as integer / 10^k: both exact, so the quotient is correctly rounded; anything
 * else (exponents, longer mantissas, inf) goes through Number() on the text.
 */
import type { Data } from 'apache-arrow';
import { CsvParseError } from '../errors.js';
import { allocBytes, allocFloat64, allocInt32, type DType } from '../dtype.js';
import { BitmapBuilder, boolData, dictData, numData } from './build.js';
import { ByteInterner } from './hash-tables.js';

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder();
const NA = new Set(['NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A']);
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

export interface Where {
  readonly file: string;
  line: number;
}

export interface FieldSink {
  add(b: Uint8Array, s: number, e: number, where: Where): void;
  missing(): void;
  finish(): Data;
}

/** The bytes b[s, e) as a string, for short ASCII fields (cheaper than a TextDecoder call). */
function ascii(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}

/** The value of b[s, e) as a number, or undefined when it is not one. */
export function parseNumber(b: Uint8Array, s: number, e: number): number | undefined {
  let i = s;
  let neg = false;
  if (b[i] === 45 || b[i] === 43) neg = b[i++] === 45;
  let int = 0;
  let digits = 0;
  let frac = 0;
  const start = i;
  while (i < e && b[i]! >= 48 && b[i]! <= 57) {
    int = int * 10 + (b[i++]! - 48);
    digits++;
  }
  if (i < e && b[i] === 46) {
    i++;
    while (i < e && b[i]! >= 48 && b[i]! <= 57) {
      int = int * 10 + (b[i++]! - 48);
      digits++;
      frac++;
    }
  }
  // Exact when the digits make an integer below 2^53 and the scale is an exact power of ten.
  if (i === e && digits > 0 && int <= 9007199254740992 && frac <= 22 && i > start) {
    const v = frac === 0 ? int : int / POW10[frac]!;
    return neg ? -v : v;
  }
  const text = (e - s <= 64 ? ascii(b, s, e) : latin1.decode(b.subarray(s, e))).trim();
  if (text === '') return undefined;
  const v = Number(text);
  return Number.isNaN(v) && !/^[+-]?nan$/i.test(text) ? undefined : v;
}

function isNA(b: Uint8Array, s: number, e: number): boolean {
  return e - s <= 4 && NA.has(latin1.decode(b.subarray(s, e)));
}

function bad(where: Where, column: string, dtype: DType, b: Uint8Array, s: number, e: number): CsvParseError {
  const text = utf8.decode(b.subarray(s, Math.min(e, s + 40)));
  return new CsvParseError(
    where.file,
    where.line,
    `column '${column}': cannot parse '${text}' as ${dtype} (set dtypes: { ${column}: 'float64' | 'string' } to read it differently)`,
    column,
  );
}

class Growing<T extends Int32Array | Float64Array | Uint8Array> {
  n = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.n === this.data.length) {
      const next = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = v;
  }
}

class NumberSink implements FieldSink {
  private readonly values: Growing<Int32Array | Float64Array>;
  private readonly nulls: number[] = [];
  constructor(
    private readonly column: string,
    private readonly dtype: 'int32' | 'float64',
    capacity: number,
  ) {
    this.values = new Growing(dtype === 'int32' ? new Int32Array(capacity) : new Float64Array(capacity));
  }
  add(b: Uint8Array, s: number, e: number, where: Where): void {
    const v = parseNumber(b, s, e);
    if (v === undefined) {
      if (isNA(b, s, e)) return this.missing();
      throw bad(where, this.column, this.dtype, b, s, e);
    }
    if (this.dtype === 'int32' && (v !== Math.trunc(v) || v < -(2 ** 31) || v >= 2 ** 31))
      throw bad(where, this.column, this.dtype, b, s, e);
    this.values.push(v);
  }
  missing(): void {
    this.nulls.push(this.values.n);
    this.values.push(0);
  }
  finish(): Data {
    const n = this.values.n;
    const out = this.dtype === 'int32' ? allocInt32(n) : allocFloat64(n);
    out.set(this.values.data.subarray(0, n));
    const nb = new BitmapBuilder(n);
    for (const i of this.nulls) nb.setNull(i);
    return numData(this.dtype, out, nb.bits, nb.nulls);
  }
}

const TRUE = new TextEncoder().encode('true');
const FALSE = new TextEncoder().encode('false');

/** b[s, e) equals `word` ignoring ASCII case and surrounding spaces. */
function matchesWord(b: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  while (s < e && b[s] === 32) s++;
  while (e > s && b[e - 1] === 32) e--;
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((b[s + i]! | 0x20) !== word[i]) return false;
  return true;
}

class BoolSink implements FieldSink {
  private readonly values = new Growing(new Uint8Array(1024));
  private readonly nulls: number[] = [];
  constructor(private readonly column: string) {}
  add(b: Uint8Array, s: number, e: number, where: Where): void {
    if (matchesWord(b, s, e, TRUE)) this.values.push(1);
    else if (matchesWord(b, s, e, FALSE)) this.values.push(0);
    else if (isNA(b, s, e)) this.missing();
    else throw bad(where, this.column, 'bool', b, s, e);
  }
  missing(): void {
    this.nulls.push(this.values.n);
    this.values.push(0);
  }
  finish(): Data {
    const n = this.values.n;
    const bits = allocBytes((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (this.values.data[i] === 1) bits[i >> 3]! |= 1 << (i & 7);
    const nb = new BitmapBuilder(n);
    for (const i of this.nulls) nb.setNull(i);
    return boolData(bits, n, nb.bits, nb.nulls);
  }
}

class StringSink implements FieldSink {
  private readonly codes = new Growing(new Int32Array(1024));
  private readonly nulls: number[] = [];
  private readonly interner = new ByteInterner(256);
  add(b: Uint8Array, s: number, e: number): void {
    this.codes.push(this.interner.intern(b, s, e));
  }
  missing(): void {
    this.nulls.push(this.codes.n);
    this.codes.push(0);
  }
  finish(): Data {
    const n = this.codes.n;
    const codes = allocInt32(n);
    codes.set(this.codes.data.subarray(0, n));
    const nb = new BitmapBuilder(n);
    for (const i of this.nulls) nb.setNull(i);
    if (this.interner.count === 0) this.interner.intern(new Uint8Array(0), 0, 0);
    const dict = this.interner.finish();
    return dictData(codes, dict.offsets, dict.bytes, nb.bits, nb.nulls);
  }
}

export function fieldSink(column: string, dtype: DType, capacity: number): FieldSink {
  if (dtype === 'string') return new StringSink();
  if (dtype === 'bool') return new BoolSink(column);
  if (dtype === 'int32' || dtype === 'float64') return new NumberSink(column, dtype, capacity);
  return new NumberSink(column, 'float64', capacity);
}
