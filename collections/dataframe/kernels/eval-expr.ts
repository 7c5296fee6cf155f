/*
 * Evaluates a column expression (expr.ts) over a partition, column at a time: every node yields a
 * whole column of values before its parent runs, each loop a tight pass over typed arrays.
 * Intermediate values:
 *   num   a typed array plus an optional byte-per-row validity (1 = present)
 *   bool  a byte per row (0/1) plus the same validity
 *   str   the column view itself (strings are only compared, never built)
 *   lit   a literal, broadcast by the loops
 * Missing values propagate through arithmetic and comparisons; and/or follow Kleene logic
 * (false and missing is false, true or missing is true); isNull is true for missing values and for
 * NaN (pandas). String comparisons run on UTF-8 bytes (code point order); a dictionary column is
 * compared once per dictionary entry and its codes mapped.
 */
import type { Data, Table } from 'apache-arrow';
import { allocBytes, allocFloat64, allocNumeric, type NumArray } from '../dtype.js';
import { isArith, isCompare, type ArithOp, type CompareOp, type Expr, type Literal } from '../expr.js';
import { boolData, numData } from './build.js';
import { boolAt, columnOf, validAt, type Col, type StrCol } from './columns.js';
import { compareStrings } from './string-compare.js';

type Val =
  | { readonly t: 'num'; readonly v: NumArray; readonly ok: Uint8Array | null; readonly f32: boolean }
  | { readonly t: 'bool'; readonly v: Uint8Array; readonly ok: Uint8Array | null }
  | { readonly t: 'str'; readonly c: StrCol }
  | { readonly t: 'lit'; readonly value: Literal };

function validityBytes(c: Col): Uint8Array | null {
  if (c.valid === null) return null;
  const ok = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) ok[i] = validAt(c, i) ? 1 : 0;
  return ok;
}

function colVal(table: Table, name: string): Val {
  const c = columnOf(table, name);
  if (c.kind === 'str') return { t: 'str', c };
  const ok = validityBytes(c);
  if (c.kind === 'num') return { t: 'num', v: c.values, ok, f32: c.dtype === 'float32' };
  const v = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) v[i] = boolAt(c, i) ? 1 : 0;
  return { t: 'bool', v, ok };
}

function andOk(a: Uint8Array | null, b: Uint8Array | null, n: number): Uint8Array | null {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

function okOf(v: Val): Uint8Array | null {
  if (v.t === 'num' || v.t === 'bool') return v.ok;
  if (v.t === 'str') return validityBytes(v.c);
  return null;
}

function arith(op: ArithOp, x: number, y: number): number {
  switch (op) {
    case 'add':
      return x + y;
    case 'sub':
      return x - y;
    case 'mul':
      return x * y;
    case 'div':
      return x / y;
    case 'mod':
      return x - Math.floor(x / y) * y;
    case 'pow':
      return x ** y;
  }
}

/** Numbers of a value as a reader: array or broadcast literal. */
function numReader(v: Val): { arr: NumArray | null; k: number } {
  if (v.t === 'num') return { arr: v.v, k: 0 };
  if (v.t === 'lit') return { arr: null, k: typeof v.value === 'number' ? v.value : NaN };
  if (v.t === 'bool') return { arr: v.v, k: 0 };
  throw new Error('expected numbers');
}

function evalArith(op: ArithOp, a: Val, b: Val, n: number): Val {
  const f32 = a.t !== 'lit' && b.t !== 'lit' && a.t === 'num' && b.t === 'num' && a.f32 && b.f32;
  const out = f32 ? allocNumeric('float32', n) : allocFloat64(n);
  const ra = numReader(a);
  const rb = numReader(b);
  const xa = ra.arr;
  const xb = rb.arr;
  if (xa !== null && xb !== null) {
    if (op === 'add') for (let i = 0; i < n; i++) out[i] = xa[i]! + xb[i]!;
    else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = xa[i]! - xb[i]!;
    else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = xa[i]! * xb[i]!;
    else if (op === 'div') for (let i = 0; i < n; i++) out[i] = xa[i]! / xb[i]!;
    else for (let i = 0; i < n; i++) out[i] = arith(op, xa[i]!, xb[i]!);
  } else if (xa !== null) {
    const k = rb.k;
    if (op === 'add') for (let i = 0; i < n; i++) out[i] = xa[i]! + k;
    else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = xa[i]! - k;
    else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = xa[i]! * k;
    else if (op === 'div') for (let i = 0; i < n; i++) out[i] = xa[i]! / k;
    else for (let i = 0; i < n; i++) out[i] = arith(op, xa[i]!, k);
  } else if (xb !== null) {
    const k = ra.k;
    for (let i = 0; i < n; i++) out[i] = arith(op, k, xb[i]!);
  } else out.fill(arith(op, ra.k, rb.k));
  const nullLit = (a.t === 'lit' && a.value === null) || (b.t === 'lit' && b.value === null);
  const ok = nullLit ? new Uint8Array(n) : andOk(okOf(a), okOf(b), n);
  return { t: 'num', v: out, ok, f32 };
}

function compareNum(op: CompareOp, x: number, y: number): boolean {
  switch (op) {
    case 'gt':
      return x > y;
    case 'ge':
      return x >= y;
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
  }
}

function evalCompare(op: CompareOp, a: Val, b: Val, n: number): Val {
  const out = new Uint8Array(n);
  const nullLit = (a.t === 'lit' && a.value === null) || (b.t === 'lit' && b.value === null);
  if (a.t === 'str' || b.t === 'str' || (a.t === 'lit' && typeof a.value === 'string')) {
    compareStrings(
      op,
      a.t === 'str' ? a.c : a.t === 'lit' ? a.value : null,
      b.t === 'str' ? b.c : b.t === 'lit' ? b.value : null,
      out,
      n,
    );
  } else {
    const ra = numReader(a);
    const rb = numReader(b);
    const xa = ra.arr;
    const xb = rb.arr;
    if (xa !== null && xb !== null) for (let i = 0; i < n; i++) out[i] = compareNum(op, xa[i]!, xb[i]!) ? 1 : 0;
    else if (xa !== null) {
      const k = rb.k;
      if (op === 'gt') for (let i = 0; i < n; i++) out[i] = xa[i]! > k ? 1 : 0;
      else if (op === 'lt') for (let i = 0; i < n; i++) out[i] = xa[i]! < k ? 1 : 0;
      else for (let i = 0; i < n; i++) out[i] = compareNum(op, xa[i]!, k) ? 1 : 0;
    } else if (xb !== null) {
      const k = ra.k;
      for (let i = 0; i < n; i++) out[i] = compareNum(op, k, xb[i]!) ? 1 : 0;
    } else out.fill(compareNum(op, ra.k, rb.k) ? 1 : 0);
  }
  const ok = nullLit ? new Uint8Array(n) : andOk(okOf(a), okOf(b), n);
  return { t: 'bool', v: out, ok };
}

function boolReader(v: Val, n: number): { v: Uint8Array; ok: Uint8Array | null } {
  if (v.t === 'bool') return v;
  if (v.t === 'lit') {
    if (v.value === null) return { v: new Uint8Array(n), ok: new Uint8Array(n) };
    return { v: new Uint8Array(n).fill(v.value === true ? 1 : 0), ok: null };
  }
  throw new Error('expected booleans');
}

function evalLogic(op: 'and' | 'or', a: Val, b: Val, n: number): Val {
  const x = boolReader(a, n);
  const y = boolReader(b, n);
  const out = new Uint8Array(n);
  if (x.ok === null && y.ok === null) {
    if (op === 'and') for (let i = 0; i < n; i++) out[i] = x.v[i]! & y.v[i]!;
    else for (let i = 0; i < n; i++) out[i] = x.v[i]! | y.v[i]!;
    return { t: 'bool', v: out, ok: null };
  }
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const xo = x.ok === null ? 1 : x.ok[i]!;
    const yo = y.ok === null ? 1 : y.ok[i]!;
    const xv = xo & x.v[i]!;
    const yv = yo & y.v[i]!;
    if (op === 'and') {
      // false wins over missing
      const xf = xo === 1 && xv === 0;
      const yf = yo === 1 && yv === 0;
      out[i] = xv & yv;
      ok[i] = xf || yf || (xo === 1 && yo === 1) ? 1 : 0;
    } else {
      out[i] = xv | yv;
      ok[i] = xv === 1 || yv === 1 || (xo === 1 && yo === 1) ? 1 : 0;
    }
  }
  return { t: 'bool', v: out, ok };
}

function evalUnary(e: Extract<Expr, { op: 'neg' | 'not' | 'isNull' | 'notNull' }>, a: Val, n: number): Val {
  if (e.op === 'neg') return evalArith('sub', { t: 'lit', value: 0 }, a, n);
  if (e.op === 'not') {
    const x = boolReader(a, n);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = x.v[i]! ^ 1;
    return { t: 'bool', v: out, ok: x.ok };
  }
  const want = e.op === 'isNull' ? 1 : 0;
  const out = new Uint8Array(n);
  if (a.t === 'lit') out.fill(a.value === null ? want : want ^ 1);
  else {
    const ok = okOf(a);
    const nums = a.t === 'num' ? a.v : null;
    for (let i = 0; i < n; i++) {
      const missing = (ok !== null && ok[i] === 0) || (nums !== null && nums[i]! !== nums[i]!);
      out[i] = missing ? want : want ^ 1;
    }
  }
  return { t: 'bool', v: out, ok: null };
}

function evaluate(e: Expr, table: Table, n: number): Val {
  switch (e.op) {
    case 'col':
      return colVal(table, e.name);
    case 'lit':
      return { t: 'lit', value: e.value };
    case 'neg':
    case 'not':
    case 'isNull':
    case 'notNull':
      return evalUnary(e, evaluate(e.a, table, n), n);
    default: {
      const a = evaluate(e.a, table, n);
      const b = evaluate(e.b, table, n);
      if (isArith(e.op)) return evalArith(e.op, a, b, n);
      if (isCompare(e.op)) return evalCompare(e.op, a, b, n);
      return evalLogic(e.op, a, b, n);
    }
  }
}

function packBits(bytes: Uint8Array, n: number): Uint8Array {
  const bits = allocBytes((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (bytes[i] !== 0) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

function bitmapOf(ok: Uint8Array | null, n: number): { bits: Uint8Array | null; nulls: number } {
  if (ok === null) return { bits: null, nulls: 0 };
  let valid = 0;
  for (let i = 0; i < n; i++) valid += ok[i]!;
  return valid === n ? { bits: null, nulls: 0 } : { bits: packBits(ok, n), nulls: n - valid };
}

/** The expression's values over `table` as an Arrow column. */
export function evalToData(e: Expr, table: Table): Data {
  const n = table.numRows;
  if (e.op === 'col') {
    const idx = table.schema.fields.findIndex((f) => f.name === e.name);
    if (idx >= 0 && table.batches.length === 1) return table.batches[0]!.data.children[idx]!;
  }
  const v = evaluate(e, table, n);
  if (v.t === 'str') throw new Error('a string expression can only be a column');
  if (v.t === 'lit') {
    if (typeof v.value === 'string') throw new Error('a string literal cannot be a column');
    if (typeof v.value === 'boolean')
      return evalValData({ t: 'bool', v: new Uint8Array(n).fill(v.value ? 1 : 0), ok: null }, n);
    const filled = allocFloat64(n).fill(v.value ?? NaN);
    return evalValData({ t: 'num', v: filled, ok: v.value === null ? new Uint8Array(n) : null, f32: false }, n);
  }
  return evalValData(v, n);
}

function evalValData(v: Val, n: number): Data {
  if (v.t === 'num') {
    const { bits, nulls } = bitmapOf(v.ok, n);
    const dtype = v.f32 ? 'float32' : 'float64';
    let values = v.v;
    if (!(values instanceof Float64Array) && !v.f32) {
      const copy = allocFloat64(n);
      for (let i = 0; i < n; i++) copy[i] = v.v[i]!;
      values = copy;
    }
    return numData(dtype, values, bits, nulls);
  }
  if (v.t === 'bool') {
    const { bits, nulls } = bitmapOf(v.ok, n);
    return boolData(packBits(v.v, n), n, bits, nulls);
  }
  throw new Error('cannot make a column of this value');
}

/** Byte per row: 1 where the (boolean) expression is true and not missing. */
export function evalMask(e: Expr, table: Table): Uint8Array {
  const n = table.numRows;
  const v = evaluate(e, table, n);
  const { v: vals, ok } = boolReader(v, n);
  if (ok === null) return vals;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = vals[i]! & ok[i]!;
  return out;
}
