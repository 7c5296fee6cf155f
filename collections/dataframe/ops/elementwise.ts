/*
 * Series operators (add, gt, and, not, isNull, ...): a bigger expression over the same rows,
 * nothing computed. Two Series combine when one's frame derives row for row from the other's
 * (plan/lineage.ts), and the result is over the derived frame; a literal becomes `lit`. Operand
 * dtypes are checked when the result becomes a Series (exprDType, in its constructor).
 */
import { ValueError } from '../../../src/core/errors.js';
import { isSeries } from '../brands.js';
import { lit, type BinaryOp, type Expr, type UnaryOp } from '../expr.js';
import { derivesRowwise } from '../plan/lineage.js';
import type { PlanNode } from '../plan/plan-node.js';
import type { SeriesPlan } from '../plan/series-plan.js';
import type { Operand } from '../series.js';

export function binary(s: SeriesPlan, op: BinaryOp, other: Operand): SeriesPlan {
  if (!isSeries(other)) return { frame: s.frame, expr: { op, a: s.expr, b: lit(other) }, name: s.name };
  let frame: PlanNode;
  const both: Expr = { op, a: s.expr, b: other.expr };
  if (derivesRowwise(s.frame, other.frame, other.expr)) frame = s.frame;
  else if (derivesRowwise(other.frame, s.frame, s.expr)) frame = other.frame;
  else
    throw new ValueError(
      `${op}: Series '${s.name}' and '${other.name}' come from different DataFrames; rows are matched by position, so both must come from one frame`,
    );
  return { frame, expr: both, name: s.name };
}

export function unary(s: SeriesPlan, op: UnaryOp): SeriesPlan {
  return { frame: s.frame, expr: { op, a: s.expr }, name: s.name };
}
