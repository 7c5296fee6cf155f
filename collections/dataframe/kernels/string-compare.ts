/*
 * Comparisons of string columns with string literals or with other string columns, on UTF-8
 * bytes: byte order is code point order, so no string is decoded. A dictionary column is compared
 * once per dictionary entry and the answers looked up by code. Validity is handled by the caller.
 */
import type { CompareOp } from '../expr.js';
import type { StrCol } from './columns.js';

const encoder = new TextEncoder();

function cmpBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

function holds(op: CompareOp, c: number): boolean {
  switch (op) {
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
  }
}

function flip(op: CompareOp): CompareOp {
  return op === 'gt' ? 'lt' : op === 'lt' ? 'gt' : op === 'ge' ? 'le' : op === 'le' ? 'ge' : op;
}

/** Compares entry s of a string table with the literal bytes. */
function entryVsLit(c: StrCol, s: number, lit: Uint8Array): number {
  return cmpBytes(c.bytes, c.offsets[s]!, c.offsets[s + 1]!, lit, 0, lit.length);
}

function colVsLit(op: CompareOp, c: StrCol, literal: string, out: Uint8Array, n: number): void {
  const lit = encoder.encode(literal);
  if (c.codes !== null) {
    const answer = new Uint8Array(c.nstrings);
    for (let s = 0; s < c.nstrings; s++) answer[s] = holds(op, entryVsLit(c, s, lit)) ? 1 : 0;
    for (let i = 0; i < n; i++) out[i] = answer[c.codes[i]!] ?? 0;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = holds(op, entryVsLit(c, i, lit)) ? 1 : 0;
}

/** out[i] = 1 where `a op b` holds; a and b are string columns or string literals (null: no value). */
export function compareStrings(
  op: CompareOp,
  a: StrCol | string | null | Literalish,
  b: StrCol | string | null | Literalish,
  out: Uint8Array,
  n: number,
): void {
  if (typeof a === 'object' && a !== null && typeof b === 'string') colVsLit(op, a, b, out, n);
  else if (typeof b === 'object' && b !== null && typeof a === 'string') colVsLit(flip(op), b, a, out, n);
  else if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    for (let i = 0; i < n; i++) {
      const sa = a.codes === null ? i : a.codes[i]!;
      const sb = b.codes === null ? i : b.codes[i]!;
      out[i] = holds(
        op,
        cmpBytes(a.bytes, a.offsets[sa]!, a.offsets[sa + 1]!, b.bytes, b.offsets[sb]!, b.offsets[sb + 1]!),
      )
        ? 1
        : 0;
    }
  } else if (typeof a === 'string' && typeof b === 'string') out.fill(holds(op, a < b ? -1 : a > b ? 1 : 0) ? 1 : 0);
  else out.fill(0);
}

type Literalish = number | boolean;
