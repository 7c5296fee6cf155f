/*
 * checkOptions: misspelt option names are refused where they are passed, from TypeScript and from
 * plain JavaScript callers alike (which the compiler cannot stop), with the closest known name
 * (Damerau–Levenshtein distance, case-insensitive, at most a third of the name's length) and the
 * list of names the call takes. Dask raises TypeError for an unexpected keyword argument; here the
 * error is a DaskError with code DASK_ERR_CONFIG, as for unknown config options.
 */
import { DaskError } from './errors.js';

/**
 * The names of an options interface as a runtime list, written as `{ name: true, ... }` so that the
 * compiler refuses a list that misses a name of T or has one T lacks.
 */
export function optionNames<T extends object>(names: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(names);
}

/** Refuses an `options` object holding a name not in `known`; `where` names the call ('compute()'). */
export function checkOptions(options: object | undefined, known: readonly string[], where: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object')
    throw new DaskError('DASK_ERR_CONFIG', `${where} takes an options object, got ${typeof options}`);
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const guess = closest(name, known);
    throw new DaskError(
      'DASK_ERR_CONFIG',
      `${where} has no option "${name}"${guess !== undefined ? `; did you mean "${guess}"?` : ''} Its options: ${known.join(', ')}`,
    );
  }
}

/** The known name nearest to `name`, if any is near enough to be a typo of it. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3));
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < distance(name.toLowerCase(), best.toLowerCase()))) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b. */
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
