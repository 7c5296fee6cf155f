/*
 * TaskRunLog: what the scheduler's 'task-done' events tell about where time went, kept small.
 *
 *   runs      a ring of the last `capacity` runs (key, worker, thread, start, stop, erred), each
 *             with a sequence number, so a page can ask "what is new since N"
 *   timings   per prefix: runs, erred runs, total and longest duration (at most MAX_PREFIXES
 *             prefixes; the least recently run are dropped)
 *   slowest   the SLOWEST_KEPT longest runs
 *   errors    the ERRORS_KEPT latest failures, with the exception the scheduler recorded
 *
 * record() costs a few field writes and, for a run slower than the slowest kept, a small sorted
 * insert: cheap enough to run on every task of a 5,000-task burst (B6). The dashboard keeps one
 * log while it runs; a performance report keeps its own for the span of its block.
 */
import type { Key } from '../../../src/core/graph/task.js';
import type { ErrorRecord } from '../../../src/core/serialize/error-codec.js';
import { keyName, keyPrefix } from '../../../src/core/graph/keys.js';
import type { TaskTiming } from '../protocol.js';
import type { PrefixTiming, SlowTask, TaskBar, TaskErrorView } from './dashboard-types.js';

const MAX_PREFIXES = 1000;
const SLOWEST_KEPT = 20;
const ERRORS_KEPT = 20;

export interface TaskDone {
  readonly worker: string;
  readonly key: Key;
  readonly status: 'finished' | 'erred';
  readonly timing: TaskTiming | undefined;
}

interface Run {
  readonly key: Key;
  readonly worker: string;
  readonly thread: number;
  readonly start: number;
  readonly stop: number;
  readonly erred: boolean;
}

interface Timing {
  count: number;
  erred: number;
  totalMs: number;
  maxMs: number;
}

export class TaskRunLog {
  private readonly ring: (Run | undefined)[];
  /** Runs recorded so far; the newest has sequence number seq - 1. */
  private seq = 0;
  private readonly timing = new Map<string, Timing>();
  private readonly slow: SlowTask[] = [];
  private readonly errs: TaskErrorView[] = [];
  /** Bumped whenever timings, slowest or errors change, so a sender can skip unchanged summaries. */
  version = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<Run | undefined>(capacity);
  }

  get sequence(): number {
    return this.seq;
  }

  /** Records one task-done event; `exception` is what the scheduler holds for an erred task. */
  record(e: TaskDone, now: number, exception: ErrorRecord | undefined): void {
    const erred = e.status === 'erred';
    this.version++;
    if (erred) {
      this.errs.unshift({
        key: e.key,
        worker: e.worker,
        time: e.timing?.stop ?? now,
        name: exception?.name ?? 'Error',
        message: exception?.message ?? '(the scheduler kept no message)',
        stack: exception?.stack ?? '',
      });
      if (this.errs.length > ERRORS_KEPT) this.errs.pop();
    }
    if (e.timing === undefined) return;
    const run: Run = {
      key: e.key,
      worker: e.worker,
      thread: e.timing.thread,
      start: e.timing.start,
      stop: e.timing.stop,
      erred,
    };
    this.ring[this.seq % this.capacity] = run;
    this.seq++;
    const prefix = keyPrefix(e.key);
    const ms = Math.max(0, run.stop - run.start);
    let t = this.timing.get(prefix);
    if (t === undefined) {
      t = { count: 0, erred: 0, totalMs: 0, maxMs: 0 };
      if (this.timing.size >= MAX_PREFIXES) this.timing.delete(this.timing.keys().next().value ?? '');
    } else {
      this.timing.delete(prefix); // re-inserted below: the Map's order is least recently run first
    }
    this.timing.set(prefix, t);
    t.count++;
    if (erred) t.erred++;
    t.totalMs += ms;
    t.maxMs = Math.max(t.maxMs, ms);
    const last = this.slow[this.slow.length - 1];
    if (this.slow.length < SLOWEST_KEPT || (last !== undefined && ms > last.durationMs)) {
      const entry: SlowTask = { key: e.key, prefix, worker: e.worker, start: run.start, durationMs: ms };
      let i = this.slow.length;
      while (i > 0 && (this.slow[i - 1]?.durationMs ?? 0) < ms) i--;
      this.slow.splice(i, 0, entry);
      if (this.slow.length > SLOWEST_KEPT) this.slow.pop();
    }
  }

  /** Bars for runs with sequence number ≥ `since` still in the ring, stopping at or after `notBefore`. */
  barsSince(since: number, notBefore = -Infinity): TaskBar[] {
    const out: TaskBar[] = [];
    let prefixOf = '';
    let nameOf = '';
    for (let s = Math.max(since, this.seq - this.capacity, 0); s < this.seq; s++) {
      const r = this.ring[s % this.capacity];
      if (r === undefined || r.stop < notBefore) continue;
      const name = keyName(r.key);
      if (name !== nameOf) {
        nameOf = name;
        prefixOf = keyPrefix(name);
      }
      out.push({
        key: r.key,
        prefix: prefixOf,
        worker: r.worker,
        thread: r.thread,
        start: r.start,
        stop: r.stop,
        erred: r.erred,
      });
    }
    return out;
  }

  /**
   * Like barsSince, but runs of one prefix on one thread that follow each other within `gapMs`
   * become one bar with a `count`: a burst of 5,000 tiny tasks is then a handful of bars to send
   * and draw, and looks the same at any zoom where `gapMs` is below a pixel.
   */
  coalescedSince(since: number, notBefore: number, gapMs: number): TaskBar[] {
    const out: TaskBar[] = [];
    const open = new Map<string, { index: number; stop: number }>();
    for (const b of this.barsSince(since, notBefore)) {
      const lane = `${b.worker}#${b.thread}`;
      const last = open.get(lane);
      const prev = last === undefined ? undefined : out[last.index];
      if (
        last !== undefined &&
        prev !== undefined &&
        prev.prefix === b.prefix &&
        prev.erred === b.erred &&
        b.start - last.stop <= gapMs &&
        b.start >= prev.start
      ) {
        out[last.index] = { ...prev, stop: Math.max(prev.stop, b.stop), count: (prev.count ?? 1) + 1 };
        last.stop = Math.max(last.stop, b.stop);
        continue;
      }
      open.set(lane, { index: out.length, stop: b.stop });
      out.push(b);
    }
    return out;
  }

  /** Runs recorded but no longer in the ring. */
  get dropped(): number {
    return Math.max(0, this.seq - this.capacity);
  }

  timings(): PrefixTiming[] {
    return [...this.timing].map(([prefix, t]) => ({ prefix, ...t }));
  }

  slowest(): SlowTask[] {
    return [...this.slow];
  }

  errors(): TaskErrorView[] {
    return [...this.errs];
  }
}
