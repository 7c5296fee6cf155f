/*
 * settle: the arguments of a call, with Promises inside them awaited. An inline sub-task (a fused
 * chain, a user function wrapped by a kernel) may be async; its Promise then sits where its value
 * belongs in the outer call's arguments. containsPromise walks arrays and plain objects and stops
 * at the first Promise; only then is a settled copy built, asynchronously. Synchronous arguments
 * come back unchanged, at the cost of one walk.
 */
import { isPlainContainer } from './plain-container.js';

function containsPromise(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Promise) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (containsPromise(v)) return true;
    return false;
  }
  if (isPlainContainer(value)) {
    for (const k in value) if (containsPromise(value[k])) return true;
  }
  return false;
}

async function settled(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Promise) return settled(await (value as Promise<unknown>));
  if (Array.isArray(value)) return Promise.all(value.map(settled));
  if (isPlainContainer(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await settled(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/** `fn(...args)`, after awaiting any Promise inside args (then the call's result is a Promise). */
export function callSettled(fn: (...a: unknown[]) => unknown, args: readonly unknown[]): unknown {
  if (!containsPromise(args)) return fn(...args);
  return settled(args).then((a) => fn(...(a as unknown[])));
}
