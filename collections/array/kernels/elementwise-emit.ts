/*
 * Code generation for one element of an Expr: a list of `const` statements, one per distinct
 * subexpression (identical subtrees and repeated input reads are computed once), ending in a
 * JavaScript expression for the result. The loop generators wrap these statements in loops.
 *
 * Values are JavaScript doubles, and every node has a NumPy dtype inferred bottom-up with
 * dtype.ts (resultType for two arrays, scalarResultType for an array and a constant, which is
 * "weak": it takes the array's type). To give NumPy's results rather than exact-arithmetic ones,
 * each node's value is brought into its dtype where that can change the result:
 *   - integer nodes wrap: `x | 0` (int32), `x >>> 0` (uint32), `(x << 24) >> 24` (int8), ... and
 *     products use Math.imul, so int32 arithmetic is exact modulo 2^32 at every step; the one
 *     place a double can still lose bits is an integer `pow` loop, which also uses Math.imul;
 *     a cast from float to int truncates toward zero and wraps (ToInt32 semantics, NaN → 0);
 *   - float32 nodes round with Math.fround after every +, -, *, /, so float32 chains give
 *     NumPy's float32 results; math functions of integers compute in float64;
 *   - bool nodes are 0/1; `add` of bools is logical or, as in NumPy.
 * NumPy details followed: floordiv and mod follow npy_divmod (mod takes the divisor's sign,
 * `mod(-7, 3) = 2`, `mod(7., -3.) = -2.`), integer division or mod by zero gives 0, integer pow
 * with a negative exponent throws, float pow has C's pow(1, nan) = 1, maximum/minimum propagate
 * NaN (Math.max/min do), comparisons and logic give 0/1. Helpers used by the code (modF, ipow,
 * ...) are emitted as fixed source text inside each compiled kernel, so each keeps its own type
 * feedback. Only validated numbers and fixed code fragments ever enter the generated source.
 */
import { ValueError } from '../../../src/core/errors.js';
import { divisionType, isFloat, resultType, scalarResultType, type DType } from '../dtype.js';
import { numberText, type BinaryOp, type Expr, type UnaryOp } from './elementwise-expr.js';

/** A node's dtype; constants are weak (they take the other operand's dtype, as NumPy scalars do). */
export type NodeType = DType | 'weak-int' | 'weak-float';

export type HelperName = 'modF' | 'floorDivF' | 'modI' | 'powF' | 'ipow';

/** Fixed source of the helpers; `ipow` throws NumPy's error for a negative integer exponent. */
export const HELPER_SOURCE: Readonly<Record<HelperName, string>> = {
  modF: `function modF(a, b) {
  if (b === 0) return NaN;
  const m = a % b;
  if (m === 0) return b < 0 ? -0 : 0;
  return (b < 0) !== (m < 0) ? m + b : m;
}`,
  floorDivF: `function floorDivF(a, b) {
  if (b === 0) return a / b;
  const m = a % b;
  let d = (a - m) / b;
  if (m !== 0 && (b < 0) !== (m < 0)) d -= 1;
  if (d === 0) { const q = a / b; return q < 0 || (q === 0 && 1 / q < 0) ? -0 : 0; }
  let f = Math.floor(d);
  if (d - f > 0.5) f += 1;
  return f;
}`,
  modI: `function modI(a, b) {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}`,
  powF: `function powF(a, b) {
  if (a === 1) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}`,
  ipow: `function ipow(a, b) {
  if (b < 0) throw new ValueError('Integers to negative integer powers are not allowed.');
  let r = 1;
  let x = a | 0;
  while (b > 0) {
    const bit = b % 2;
    if (bit === 1) r = Math.imul(r, x);
    b = (b - bit) / 2;
    if (b > 0) x = Math.imul(x, x);
  }
  return r;
}`,
};

/** Helper declarations for the generated source. */
export function helperSource(helpers: ReadonlySet<HelperName>): string[] {
  return [...helpers].sort().map((h) => HELPER_SOURCE[h]);
}

/** `const a<k> = ins[<k>];` for every input. */
export function inputBindings(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `const a${k} = ins[${k}];`);
}

export interface EmitContext {
  readonly inputDtypes: readonly DType[];
  /** JavaScript expression reading input `index` at the current element. */
  readonly load: (index: number) => string;
  /** Prefix of the temporaries (distinct per unrolled lane). */
  readonly prefix: string;
  /** Collects the helpers the emitted code calls. */
  readonly helpers: Set<HelperName>;
}

export interface Emitted {
  /** Statements computing the value (`const` declarations). */
  readonly lines: string[];
  /** JavaScript expression of the value: a temporary or a literal. */
  readonly value: string;
  readonly type: NodeType;
}

interface Node {
  readonly code: string;
  readonly type: NodeType;
  readonly key: string;
  /** Set for constants. */
  readonly constant?: number;
}

/** A JavaScript literal for a number (NaN, ±Infinity and -0 included), safe to splice into source. */
export function numberLiteral(value: number): string {
  if (typeof value !== 'number') throw new ValueError('expected a number');
  const text = numberText(value);
  if (text === 'NaN' || text === 'Infinity') return text;
  if (text === '-Infinity') return '(-Infinity)';
  if (!/^-?[0-9.]+(e[+-][0-9]+)?$/.test(text)) throw new ValueError(`cannot emit the number ${text}`);
  return text.startsWith('-') ? `(${text})` : text;
}

export function isIntType(t: NodeType): t is DType {
  return t !== 'weak-int' && t !== 'weak-float' && t !== 'bool' && !isFloat(t);
}

/** Code bringing a double into dtype `t`: integer wrap, float32 rounding, bool 0/1. */
export function wrapTo(t: NodeType, code: string): string {
  switch (t) {
    case 'int32':
      return `(${code} | 0)`;
    case 'uint32':
      return `(${code} >>> 0)`;
    case 'int16':
      return `((${code} << 16) >> 16)`;
    case 'uint16':
      return `(${code} & 65535)`;
    case 'int8':
      return `((${code} << 24) >> 24)`;
    case 'uint8':
      return `(${code} & 255)`;
    case 'bool':
      return `(${code} !== 0 ? 1 : 0)`;
    case 'float32':
      return `Math.fround(${code})`;
    default:
      return code;
  }
}

const RANGE: Readonly<Record<DType, readonly [number, number]>> = {
  bool: [0, 1],
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-Infinity, Infinity],
  float64: [-Infinity, Infinity],
};

/** Code converting a value of type `from` to dtype `to` as NumPy's astype does (C-style for float → int). */
export function castCode(from: NodeType, to: DType, code: string): string {
  if (from === to || to === 'float64') return code;
  if (to === 'bool') return `(${code} !== 0 ? 1 : 0)`;
  const exact = from !== 'weak-int' && from !== 'weak-float' && !isFloat(from);
  if (to === 'float32') return exact && from !== 'int32' && from !== 'uint32' ? code : `Math.fround(${code})`;
  if (exact) {
    const [lo, hi] = RANGE[from];
    const [tlo, thi] = RANGE[to];
    if (lo >= tlo && hi <= thi) return code;
  }
  return wrapTo(to, code);
}

/** Code storing a value of type `from` into an array of dtype `to` (typed-array stores convert the rest). */
export function storeCode(from: NodeType, to: DType, code: string): string {
  return to === 'bool' && from !== 'bool' ? `(${code} !== 0 ? 1 : 0)` : code;
}

function isWeak(t: NodeType): t is 'weak-int' | 'weak-float' {
  return t === 'weak-int' || t === 'weak-float';
}

export function promote(a: NodeType, b: NodeType): NodeType {
  if (isWeak(a) && isWeak(b)) return a === 'weak-float' || b === 'weak-float' ? 'weak-float' : 'weak-int';
  if (isWeak(a)) return scalarResultType(b as DType, a === 'weak-int' ? 1 : 0.5);
  if (isWeak(b)) return scalarResultType(a, b === 'weak-int' ? 1 : 0.5);
  return resultType(a, b);
}

function isFloatLike(t: NodeType): boolean {
  return t === 'weak-float' || t === 'weak-int' || isFloat(t);
}

/** Emits the statements computing `expr` for one element. `expr` must have passed exprKey. */
export function emitExpr(expr: Expr, ctx: EmitContext): Emitted {
  const lines: string[] = [];
  const memo = new Map<string, Node>();
  let count = 0;
  const bind = (key: string, code: string, type: NodeType): Node => {
    const name = `${ctx.prefix}${count++}`;
    lines.push(`const ${name} = ${code};`);
    const node: Node = { code: name, type, key };
    memo.set(key, node);
    return node;
  };
  const visit = (e: Expr): Node => {
    if (e.op === 'const') {
      const type = Number.isInteger(e.value) ? 'weak-int' : 'weak-float';
      return { code: numberLiteral(e.value), type, key: `#${numberText(e.value)}`, constant: e.value };
    }
    if (e.op === 'input') {
      const key = `$${e.index}`;
      const dtype = ctx.inputDtypes[e.index];
      if (dtype === undefined)
        throw new ValueError(`expression reads input ${e.index} but only ${ctx.inputDtypes.length} dtypes are given`);
      return memo.get(key) ?? bind(key, ctx.load(e.index), dtype);
    }
    const parts: Node[] =
      e.op === 'where' ? [visit(e.cond), visit(e.a), visit(e.b)] : 'b' in e ? [visit(e.a), visit(e.b)] : [visit(e.a)];
    const key = `${e.op === 'cast' ? `cast:${e.dtype}` : e.op}(${parts.map((p) => p.key).join(',')})`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const [code, type] = nodeCode(e, parts, ctx.helpers);
    return bind(key, code, type);
  };
  const root = visit(expr);
  return { lines, value: root.code, type: root.type };
}

function nodeCode(e: Expr, parts: readonly Node[], helpers: Set<HelperName>): [string, NodeType] {
  const [a, b, c] = parts as [Node, Node, Node];
  if (e.op === 'where') return [`(${a.code} !== 0 ? ${b.code} : ${c.code})`, promote(b.type, c.type)];
  if (e.op === 'cast') return [castCode(a.type, e.dtype, a.code), e.dtype];
  if (e.op === 'input' || e.op === 'const') throw new ValueError('unreachable');
  if ('b' in e) return binaryCode(e.op, a, b, helpers);
  return unaryCode(e.op, a);
}

/** A constant operand of ring arithmetic (+, -, *) on integers may be reduced modulo 2^32 first. */
function ringOperand(n: Node): string {
  return n.constant !== undefined ? numberLiteral(n.constant | 0) : n.code;
}

function binaryCode(op: BinaryOp, a: Node, b: Node, helpers: Set<HelperName>): [string, NodeType] {
  const t = promote(a.type, b.type);
  const x = a.code;
  const y = b.code;
  switch (op) {
    case 'add':
    case 'sub':
    case 'mul':
      return ringCode(op, a, b, t);
    case 'div': {
      const dt = isWeak(t) ? 'weak-float' : divisionType(t);
      return [wrapTo(dt, `${x} / ${y}`), dt];
    }
    case 'floordiv':
    case 'mod':
    case 'pow':
      return integralCode(op, a, b, t === 'bool' ? 'int8' : t, helpers);
    case 'maximum':
      return [`Math.max(${x}, ${y})`, t];
    case 'minimum':
      return [`Math.min(${x}, ${y})`, t];
    case 'lt':
      return [`(${x} < ${y} ? 1 : 0)`, 'bool'];
    case 'le':
      return [`(${x} <= ${y} ? 1 : 0)`, 'bool'];
    case 'gt':
      return [`(${x} > ${y} ? 1 : 0)`, 'bool'];
    case 'ge':
      return [`(${x} >= ${y} ? 1 : 0)`, 'bool'];
    case 'eq':
      return [`(${x} === ${y} ? 1 : 0)`, 'bool'];
    case 'ne':
      return [`(${x} !== ${y} ? 1 : 0)`, 'bool'];
    case 'and':
      return [`(${x} !== 0 && ${y} !== 0 ? 1 : 0)`, 'bool'];
    case 'or':
      return [`(${x} !== 0 || ${y} !== 0 ? 1 : 0)`, 'bool'];
  }
}

function ringCode(op: 'add' | 'sub' | 'mul', a: Node, b: Node, t: NodeType): [string, NodeType] {
  if (t === 'bool') {
    if (op === 'sub') {
      throw new ValueError(
        'numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.',
      );
    }
    return [op === 'add' ? `(${a.code} + ${b.code} !== 0 ? 1 : 0)` : `(${a.code} * ${b.code})`, t];
  }
  if (isIntType(t)) {
    const x = ringOperand(a);
    const y = ringOperand(b);
    if (op === 'mul') return [t === 'int32' ? `Math.imul(${x}, ${y})` : wrapTo(t, `Math.imul(${x}, ${y})`), t];
    return [wrapTo(t, `${x} ${op === 'add' ? '+' : '-'} ${y}`), t];
  }
  return [wrapTo(t, `${a.code} ${op === 'add' ? '+' : op === 'sub' ? '-' : '*'} ${b.code}`), t];
}

function integralCode(
  op: 'floordiv' | 'mod' | 'pow',
  a: Node,
  b: Node,
  t: NodeType,
  helpers: Set<HelperName>,
): [string, NodeType] {
  const x = a.code;
  const y = b.code;
  if (isIntType(t)) {
    if (op === 'floordiv') return [wrapTo(t, `(${y} === 0 ? 0 : Math.floor(${x} / ${y}))`), t];
    const helper = op === 'mod' ? 'modI' : 'ipow';
    helpers.add(helper);
    return [wrapTo(t, `${helper}(${x}, ${y})`), t];
  }
  const helper = op === 'mod' ? 'modF' : op === 'floordiv' ? 'floorDivF' : 'powF';
  helpers.add(helper);
  return [wrapTo(t, `${helper}(${x}, ${y})`), isWeak(t) ? 'weak-float' : t];
}

const MATH: Readonly<Record<'exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tan', string>> = {
  exp: 'Math.exp',
  log: 'Math.log',
  sqrt: 'Math.sqrt',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
};

function unaryCode(op: UnaryOp, a: Node): [string, NodeType] {
  const x = a.code;
  const t = a.type;
  switch (op) {
    case 'neg':
      if (t === 'bool') {
        throw new ValueError(
          'The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead.',
        );
      }
      return [isIntType(t) ? wrapTo(t, `-${x}`) : `(-${x})`, t];
    case 'abs':
      return [isIntType(t) ? wrapTo(t, `Math.abs(${x})`) : `Math.abs(${x})`, t];
    case 'floor':
    case 'ceil': {
      const ft = isFloatLike(t) ? (t === 'weak-int' ? 'weak-float' : t) : 'float64';
      return [isFloatLike(t) ? `Math.${op}(${x})` : x, ft];
    }
    case 'not':
      return [`(${x} === 0 ? 1 : 0)`, 'bool'];
    case 'isnan':
      return [`(${x} !== ${x} ? 1 : 0)`, 'bool'];
    default: {
      const ft: NodeType = t === 'float32' ? 'float32' : isWeak(t) ? 'weak-float' : 'float64';
      return [wrapTo(ft, `${MATH[op]}(${x})`), ft];
    }
  }
}
