/*
 * Functions over many Futures (Dask's as_completed, wait, progress). Each waits on the Futures'
 * own settle events; nothing polls.
 *   asCompleted(fs)  async iterator yielding each Future once it is finished, erred or cancelled,
 *                    in the order they complete
 *   wait(fs)         resolves when all (or the first, with returnWhen 'FIRST_COMPLETED') are
 *                    done, with the {done, notDone} split
 *   progress(fs)     draws a terminal progress bar until all are done
 */
import type { Future } from './future.js';
import { progressLine } from '../../src/core/progress-bar.js';

/** Resolves with `f` when it is no longer pending. */
function whenDone<T>(f: Future<T>): Promise<Future<T>> {
  return f.exception().then(
    () => f,
    () => f,
  );
}

export async function* asCompleted<T>(futures: Iterable<Future<T>>): AsyncGenerator<Future<T>> {
  const waiting = new Map<Future<T>, Promise<Future<T>>>();
  for (const f of futures) if (!waiting.has(f)) waiting.set(f, whenDone(f));
  while (waiting.size > 0) {
    const f = await Promise.race(waiting.values());
    waiting.delete(f);
    yield f;
  }
}

export interface WaitResult<T> {
  readonly done: Future<T>[];
  readonly notDone: Future<T>[];
}

export async function wait<T>(
  futures: Iterable<Future<T>>,
  options: { returnWhen?: 'ALL_COMPLETED' | 'FIRST_COMPLETED' } = {},
): Promise<WaitResult<T>> {
  const list = [...futures];
  const pending = list.map(whenDone);
  if (options.returnWhen === 'FIRST_COMPLETED' && list.length > 0) await Promise.race(pending);
  else await Promise.all(pending);
  return { done: list.filter((f) => f.done()), notDone: list.filter((f) => !f.done()) };
}

export interface ProgressOptions {
  readonly width?: number;
  /** Where to draw; stderr by default. */
  readonly out?: { write(text: string): unknown };
  /** Redraw interval in ms (default 100), so thousands of Futures do not flood the terminal. */
  readonly interval?: number;
}

/** Draws `[####    ] | 50% Completed | 1.2s` as the Futures finish; resolves when all are done. */
export async function progress(futures: Iterable<Future> | Future, options: ProgressOptions = {}): Promise<void> {
  const list = Symbol.iterator in Object(futures) ? [...(futures as Iterable<Future>)] : [futures as Future];
  const width = options.width ?? 40;
  const out = options.out ?? process.stderr;
  const started = performance.now();
  let done = list.filter((f) => f.done()).length;
  const draw = (end: string): void => {
    out.write(
      progressLine(list.length === 0 ? 1 : done / list.length, width, (performance.now() - started) / 1000) + end,
    );
  };
  draw('');
  const timer = setInterval(() => draw(''), options.interval ?? 100);
  timer.unref();
  try {
    await Promise.all(
      list
        .filter((f) => !f.done())
        .map(async (f) => {
          await whenDone(f);
          done += 1;
        }),
    );
  } finally {
    clearInterval(timer);
  }
  draw('\n');
}
