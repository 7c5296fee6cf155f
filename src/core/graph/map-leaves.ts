/*
 * mapLeaves: a copy-on-write walk through nested arrays and plain objects (isPlainContainer).
 * Every other object is a leaf and is handed to `leaf`, whose result takes its place; primitives
 * stay as they are. A container none of whose leaves changed comes back as itself, so walking a
 * value with nothing to replace allocates nothing. The client finds, and replaces, Futures in
 * users' arguments with it. Task arguments have their own walk, substitute() in task.ts, which
 * runs once per task on the hot path and also evaluates inline tasks.
 */
import { isPlainContainer } from './plain-container.js';

export function mapLeaves(value: unknown, leaf: (v: object) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = mapLeaves(v, leaf);
      if (r !== v) copy ??= value.slice();
      if (copy !== undefined) copy[i] = r;
    }
    return copy ?? value;
  }
  if (isPlainContainer(value)) {
    let copy: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = value[k];
      const r = mapLeaves(v, leaf);
      if (r !== v) copy ??= { ...value };
      if (copy !== undefined) copy[k] = r;
    }
    return copy ?? value;
  }
  return leaf(value);
}
