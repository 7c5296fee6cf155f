/*
 * The elementwise expression language: a small tree of NumPy ufuncs over input chunks and
 * constants, e.g. `((x + 1) * 2 - x)` is
 *   { op: 'sub', a: { op: 'mul', a: { op: 'add', a: in0, b: c1 }, b: c2 }, b: in0 }.
 * Expressions travel to worker threads as plain objects (structured clone), so nothing here
 * trusts them: `exprKey` walks the tree once, checks every op name against the fixed tables
 * below, every input index and cast dtype, and every constant's type, and returns a canonical
 * string. That string is both the cache key of the compiled kernels and the proof that the tree
 * is well formed; the code generator (elementwise-emit.ts) only ever runs on validated trees and
 * maps op names through tables to fixed code, never interpolating a string from the tree.
 */
import { ValueError } from '../../../src/core/errors.js';
import { isDType, type DType } from '../dtype.js';

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'floordiv'
  | 'pow'
  | 'mod'
  | 'maximum'
  | 'minimum'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'eq'
  | 'ne'
  | 'and'
  | 'or';

export type UnaryOp =
  'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tan' | 'floor' | 'ceil' | 'not' | 'isnan';

export type Expr =
  | { op: 'input'; index: number }
  | { op: 'const'; value: number }
  | { op: BinaryOp; a: Expr; b: Expr }
  | { op: UnaryOp; a: Expr }
  | { op: 'where'; cond: Expr; a: Expr; b: Expr }
  | { op: 'cast'; dtype: DType; a: Expr };

export const BINARY_OPS: ReadonlySet<string> = new Set<BinaryOp>([
  'add',
  'sub',
  'mul',
  'div',
  'floordiv',
  'pow',
  'mod',
  'maximum',
  'minimum',
  'lt',
  'le',
  'gt',
  'ge',
  'eq',
  'ne',
  'and',
  'or',
]);

export const UNARY_OPS: ReadonlySet<string> = new Set<UnaryOp>([
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'sin',
  'cos',
  'tan',
  'floor',
  'ceil',
  'not',
  'isnan',
]);

/** Expressions deeper than this are refused (the walkers recurse). */
const MAX_DEPTH = 500;

export function isBinaryOp(op: string): op is BinaryOp {
  return BINARY_OPS.has(op);
}

export function isUnaryOp(op: string): op is UnaryOp {
  return UNARY_OPS.has(op);
}

/** The plain reduction / identity expression: the 0-th input itself. */
export const INPUT0: Expr = Object.freeze({ op: 'input', index: 0 });

/** Canonical text of a number: NaN, Infinity, -Infinity, -0, or JavaScript's shortest round-trip form. */
export function numberText(value: number): string {
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/**
 * A canonical string for `expr` (equal strings mean equal expressions), after checking that it
 * is well formed. Throws ValueError naming the first problem.
 */
export function exprKey(expr: Expr): string {
  return keyOf(expr, 0);
}

function child(node: Record<string, unknown>, field: string, depth: number): string {
  if (!Object.hasOwn(node, field))
    throw new ValueError(`expression node "${String(node.op)}" lacks its operand "${field}"`);
  return keyOf(node[field], depth + 1);
}

function keyOf(node: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new ValueError(`expression is nested deeper than ${MAX_DEPTH} levels`);
  if (typeof node !== 'object' || node === null) throw new ValueError('expression node must be an object');
  const n = node as Record<string, unknown>;
  const op = n.op;
  if (typeof op !== 'string') throw new ValueError('expression node lacks a string "op"');
  if (op === 'input') {
    const index = n.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 1_000_000) {
      throw new ValueError(`expression input index must be a non-negative integer, got ${String(index)}`);
    }
    return `$${index}`;
  }
  if (op === 'const') {
    if (typeof n.value !== 'number')
      throw new ValueError(`expression constant must be a number, got ${typeof n.value}`);
    return `#${numberText(n.value)}`;
  }
  if (op === 'cast') {
    if (!isDType(n.dtype)) throw new ValueError(`cast to unknown dtype ${JSON.stringify(n.dtype)}`);
    return `cast:${n.dtype}(${child(n, 'a', depth)})`;
  }
  if (op === 'where') return `where(${child(n, 'cond', depth)},${child(n, 'a', depth)},${child(n, 'b', depth)})`;
  if (isBinaryOp(op)) return `${op}(${child(n, 'a', depth)},${child(n, 'b', depth)})`;
  if (isUnaryOp(op)) return `${op}(${child(n, 'a', depth)})`;
  throw new ValueError(`unknown expression op ${JSON.stringify(op)}`);
}

/** Number of inputs the expression refers to: one more than the highest input index (0 if none). */
export function exprInputs(expr: Expr): number {
  exprKey(expr);
  return maxInput(expr) + 1;
}

function maxInput(e: Expr): number {
  switch (e.op) {
    case 'input':
      return e.index;
    case 'const':
      return -1;
    case 'where':
      return Math.max(maxInput(e.cond), maxInput(e.a), maxInput(e.b));
    case 'cast':
      return maxInput(e.a);
    default:
      return 'b' in e ? Math.max(maxInput(e.a), maxInput(e.b)) : maxInput(e.a);
  }
}

/** True when `expr` is exactly `{ op: 'input', index: 0 }`. */
export function isPlainInput(expr: Expr): boolean {
  return expr.op === 'input' && expr.index === 0;
}
