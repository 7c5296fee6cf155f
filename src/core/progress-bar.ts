/*
 * A terminal progress bar for any scheduler (Dask's ProgressBar), built on the scheduler hooks.
 *
 * On a terminal (the output's `isTTY`) the bar is redrawn in place (`\r`) at most every `interval`
 * ms: from posttask, which also serves the sync scheduler (it runs every task in one turn of the
 * event loop, so a timer would never fire before the end), and from a timer, which keeps the
 * elapsed time moving while a long task runs on a pool. Anywhere else (a log file, a pipe, CI) only
 * the final line is written, once, without carriage returns, as log files want. The distributed
 * `progress(futures)` draws the same line (progressLine).
 */
import type { LoopState, SchedulerHooks } from './scheduler-types.js';

export interface ProgressBarOptions {
  width?: number;
  /** Where to draw; stderr by default. It is a terminal when it says `isTTY: true`. */
  out?: { write(text: string): unknown; readonly isTTY?: boolean };
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
  const live = out.isTTY === true;
  let started = 0;
  let drawn = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let last: LoopState | undefined;
  const line = (state: LoopState | undefined): string => {
    const frac = state === undefined || state.total === 0 ? 0 : state.done / state.total;
    return progressLine(frac, width, (performance.now() - started) / 1000);
  };
  const redraw = (): void => {
    drawn = performance.now();
    out.write(line(last));
  };
  return {
    start() {
      started = performance.now();
      drawn = started;
      if (!live) return;
      timer = setInterval(redraw, interval);
      timer.unref();
    },
    posttask(_key, _result, state) {
      last = state;
      if (live && performance.now() - drawn >= interval) redraw();
    },
    finish(state) {
      if (timer !== undefined) clearInterval(timer);
      out.write(live ? `${line(state)}\n` : `${line(state).slice(1)}\n`);
    },
  };
}
