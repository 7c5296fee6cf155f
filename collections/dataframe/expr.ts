/*
 * Column expressions: what a Series is, as plain data that travels to workers inside task specs
 * and that the optimiser reads (which columns a filter or an assignment uses).
 *   {op: 'col', name}            a column of the frame
 *   {op: 'lit', value}           a number, boolean, string or null
 *   {op: <binary>, a, b}         add sub mul div mod pow | gt ge lt le eq ne | and or
 *   {op: <unary>, a}             neg not isNull notNull
 * `exprDType` types an expression against a frame's columns when it is built, so a missing column
 * or a type mismatch fails at once with ColumnNotFoundError / DTypeError naming the column.
 * Arithmetic gives float64 (float32 when both sides are float32): integer results are exact to
 * 2^53, which int32 inputs never exceed through add, sub and mod. Comparisons work between numbers,
 * between strings (by code point) and between booleans; and/or/not need booleans.
 */
import { ColumnNotFoundError, DTypeError } from './errors.js';
import { isNumeric, type DType, type Meta } from './dtype.js';

export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'pow';
export type CompareOp = 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';
export type LogicOp = 'and' | 'or';
export type BinaryOp = ArithOp | CompareOp | LogicOp;
export type UnaryOp = 'neg' | 'not' | 'isNull' | 'notNull';
export type Literal = number | boolean | string | null;

export type Expr =
  | { readonly op: 'col'; readonly name: string }
  | { readonly op: 'lit'; readonly value: Literal }
  | { readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly op: UnaryOp; readonly a: Expr };

const ARITH = new Set<string>(['add', 'sub', 'mul', 'div', 'mod', 'pow']);
const COMPARE = new Set<string>(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);

export function isArith(op: string): op is ArithOp {
  return ARITH.has(op);
}
export function isCompare(op: string): op is CompareOp {
  return COMPARE.has(op);
}

export function col(name: string): Expr {
  return { op: 'col', name };
}

export function lit(value: Literal): Expr {
  return { op: 'lit', value };
}

/** The columns an expression reads. */
export function exprColumns(e: Expr, into: Set<string> = new Set()): Set<string> {
  if (e.op === 'col') into.add(e.name);
  else if (e.op !== 'lit') {
    exprColumns(e.a, into);
    if ('b' in e) exprColumns(e.b, into);
  }
  return into;
}

/** A name for the column an expression makes: its first column, else 'value'. */
export function exprName(e: Expr): string {
  const first = exprColumns(e).values().next();
  return first.done === true ? 'value' : first.value;
}

/** 'null' types a null literal, which fits any dtype. */
type Typed = DType | 'null';

function litType(v: Literal): Typed {
  if (v === null) return 'null';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

function describe(e: Expr, t: Typed): string {
  if (e.op === 'col') return `column '${e.name}' (${t})`;
  if (e.op === 'lit') return `the ${t} value ${JSON.stringify(e.value)}`;
  return `an expression on column '${exprName(e)}' (${t})`;
}

function mismatch(op: string, e: Expr, t: Typed, other: Expr, u: Typed, want: string): DTypeError {
  const column = exprName(e.op === 'lit' ? other : e);
  return new DTypeError(
    `${op}: ${describe(e, t)} and ${describe(other, u)} do not match: ${want}`,
    column,
    String(t === 'null' ? u : t),
  );
}

function typeBinary(op: BinaryOp, e: Expr, a: Typed, other: Expr, b: Typed): DType {
  const aa = a === 'null' ? b : a;
  const bb = b === 'null' ? a : b;
  if (isArith(op)) {
    if (aa === 'null' || bb === 'null') return 'float64';
    if (!isNumeric(aa) || !isNumeric(bb)) throw mismatch(op, e, a, other, b, 'arithmetic needs numbers on both sides');
    return aa === 'float32' && bb === 'float32' ? 'float32' : 'float64';
  }
  if (isCompare(op)) {
    const ok = aa === 'null' || bb === 'null' || (isNumeric(aa) && isNumeric(bb)) || aa === bb;
    if (!ok) throw mismatch(op, e, a, other, b, 'comparisons need two numbers, two strings or two booleans');
    return 'bool';
  }
  if ((aa !== 'bool' && aa !== 'null') || (bb !== 'bool' && bb !== 'null'))
    throw mismatch(op, e, a, other, b, `${op} needs booleans on both sides`);
  return 'bool';
}

function typeOf(e: Expr, meta: Meta): Typed {
  switch (e.op) {
    case 'col': {
      const c = meta.find((m) => m.name === e.name);
      if (c === undefined)
        throw new ColumnNotFoundError(
          e.name,
          meta.map((m) => m.name),
        );
      return c.dtype;
    }
    case 'lit':
      return litType(e.value);
    case 'neg': {
      const t = typeOf(e.a, meta);
      if (t !== 'null' && !isNumeric(t))
        throw new DTypeError(`neg: ${describe(e.a, t)} is not a number`, exprName(e.a), t);
      return t === 'float32' ? 'float32' : 'float64';
    }
    case 'not': {
      const t = typeOf(e.a, meta);
      if (t !== 'bool' && t !== 'null')
        throw new DTypeError(`not: ${describe(e.a, t)} is not boolean`, exprName(e.a), t);
      return 'bool';
    }
    case 'isNull':
    case 'notNull':
      typeOf(e.a, meta);
      return 'bool';
    default:
      return typeBinary(e.op, e.a, typeOf(e.a, meta), e.b, typeOf(e.b, meta));
  }
}

/** The dtype of an expression over a frame with columns `meta`; throws on a missing column or a type mismatch. */
export function exprDType(e: Expr, meta: Meta): DType {
  const t = typeOf(e, meta);
  return t === 'null' ? 'float64' : t;
}
