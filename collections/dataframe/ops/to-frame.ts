/*
 * series.toFrame(): the one-column frame of a Series, named after it. A plain column is a
 * projection of its frame; any other expression is assigned first, then projected.
 */
import { AssignNode } from '../plan/nodes/assign.js';
import { ProjectNode } from '../plan/nodes/select.js';
import type { SeriesPlan } from '../plan/series-plan.js';

export function toFrame(s: SeriesPlan): ProjectNode {
  if (s.expr.op === 'col' && s.expr.name === s.name) return new ProjectNode(s.frame, [s.name]);
  return new ProjectNode(new AssignNode(s.frame, [s.name], [s.expr]), [s.name]);
}
