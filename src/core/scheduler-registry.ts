/*
 * Finding a scheduler without importing it. Schedulers register a loader under a name (the
 * package faces register the built-in ones as lazy import()s), and the distributed Client
 * registers itself as the default while connected. Resolution order (API.md): an explicit
 * `scheduler` option, then the most recently connected Client, then config.set({ scheduler }),
 * then 'threads'.
 */
import { config } from './config.js';
import { DaskError } from './errors.js';
import type { SchedulerLike } from './scheduler-types.js';

const loaders = new Map<string, () => Promise<SchedulerLike>>();
let defaultClient: (() => SchedulerLike | undefined) | undefined;

export function registerScheduler(name: string, loader: () => Promise<SchedulerLike>): void {
  loaders.set(name, loader);
}

/** Sets the lookup of the default distributed Client (undefined when none is connected). */
export function setDefaultClientLookup(lookup: (() => SchedulerLike | undefined) | undefined): void {
  defaultClient = lookup;
}

export function schedulerNames(): string[] {
  return [...loaders.keys()];
}

export async function resolveScheduler(choice?: string | SchedulerLike): Promise<SchedulerLike> {
  if (choice !== undefined && typeof choice !== 'string') return choice;
  if (choice === undefined) {
    const client = defaultClient?.();
    if (client !== undefined) return client;
  }
  const wanted = choice ?? config.get('scheduler') ?? 'threads';
  const loader = loaders.get(wanted);
  if (loader === undefined) {
    throw new DaskError(
      'DASK_ERR_CONFIG',
      `unknown scheduler "${wanted}"; use one of ${schedulerNames()
        .map((n) => `'${n}'`)
        .join(', ')} or pass a Client`,
    );
  }
  return loader();
}
