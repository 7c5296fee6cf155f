/*
 * isPlainContainer: which values the graph's walks (task args, tokenize, fuse, settle, both
 * transports) descend into. Its own module so that task.ts and settle.ts, which both need it, do
 * not import each other.
 */

/**
 * True for arrays and for objects whose prototype is Object.prototype or null: the containers args
 * walk into. (Typed as a record: callers test Array.isArray first when they treat arrays apart.)
 */
export function isPlainContainer(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
