/*
 * A terminal progress bar for any scheduler (Dask's ProgressBar), built on the scheduler hooks:
 * start notes the time, posttask counts, and a timer redraws at most every 100 ms on stderr so
 * thousands of tiny tasks do not flood the terminal. finish draws the final line. The distributed
 * `progress(futures)` draws the same line (progressLine).
 */
import type { LoopState, SchedulerHooks } from './scheduler-types.js';

export interface ProgressBarOptions {
  width?: number;
  /** Where to draw; stderr by default. */
  out?: { write(text: string): unknown };
  /** Redraw interval in ms. */
  interval?: number;
}

/** One redraw of the bar: `\r[####    ] | 50% Completed | 1.2s`. */
export function progressLine(frac: number, width: number, seconds: number): string {
  const filled = Math.round(frac * width);
  return `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] | ${Math.floor(frac * 100)}% Completed | ${seconds.toFixed(1)}s`;
}

export function progressBar(options: ProgressBarOptions = {}): SchedulerHooks {
  const width = options.width ?? 40;
  const out = options.out ?? process.stderr;
  const interval = options.interval ?? 100;
  let started = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let last: LoopState | undefined;
  const draw = (state: LoopState | undefined, end: string): void => {
    const frac = state === undefined || state.total === 0 ? 0 : state.done / state.total;
    out.write(progressLine(frac, width, (performance.now() - started) / 1000) + end);
  };
  return {
    start() {
      started = performance.now();
      timer = setInterval(() => draw(last, ''), interval);
      timer.unref();
    },
    posttask(_key, _result, state) {
      last = state;
    },
    finish(state) {
      if (timer !== undefined) clearInterval(timer);
      draw(state, '\n');
    },
  };
}
