/*
 * The few functions Delayed graphs call besides the user's own. They are registered here, with
 * this module's own URL, so workers import them by module reference instead of compiling source.
 */
import { registerModuleFunction } from '../../src/core/serialize/fn-ref.js';

/** obj[k]: item access on a computed value (Delayed.get, nout unpacking). */
export function getItem(obj: unknown, k: string | number): unknown {
  if (obj === null || obj === undefined) throw new TypeError(`cannot read item ${String(k)} of ${String(obj)}`);
  return (obj as Record<string | number, unknown>)[k];
}

/** Returns its argument: builds a container whose members were Delayed. */
export function identity(value: unknown): unknown {
  return value;
}

registerModuleFunction(getItem, import.meta.url, 'getItem');
registerModuleFunction(identity, import.meta.url, 'identity');
