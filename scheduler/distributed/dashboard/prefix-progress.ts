/*
 * PrefixProgressTracker: how far each group of tasks (tasks sharing a key prefix) has come, for
 * the progress bars. The scheduler forgets a task as soon as nobody needs it, so counting the
 * states in `state.tasks` alone would make bars shrink as results are released; the tracker
 * remembers, per prefix, each key it saw and what it last showed:
 *
 *   shown state   from the scheduler state
 *   waiting       released (never ran), waiting, queued, no-worker
 *   processing    processing
 *   memory        memory                 (a task-done 'finished' event also says memory)
 *   released      released after memory, or gone from the scheduler after processing/memory
 *   erred         erred                  (a task-done 'erred' event also says erred)
 *
 * sample(tasks) walks the scheduler's task map (the caller decides how often: a few times a
 * second while a page is open) and stamps each key with the sample number; a key not stamped in
 * this sample has left the scheduler: it becomes released (done) if it had run or was running,
 * it stays erred if it erred, and it is dropped if it never ran (cancelled). Entries of keys that
 * have left are stored as negative codes so they need no stamp. onTaskDone() records runs
 * between samples, so a graph that starts and finishes within one sample still shows as done.
 *
 * A group whose tasks have all left is dropped a minute after its last change; at most
 * MAX_GROUPS groups are kept (the least recently changed go first).
 */
import type { Key } from '../../../src/core/graph/task.js';
import type { SchedulerTask, TaskStateName } from '../scheduler-records.js';
import type { PrefixProgress } from './dashboard-types.js';
import { keyName, keyPrefix } from '../../../src/core/graph/keys.js';

const WAITING = 0;
const PROCESSING = 1;
const MEMORY = 2;
const RELEASED = 3;
const ERRED = 4;
type Shown = 0 | 1 | 2 | 3 | 4;

const MAX_GROUPS = 100;
const KEEP_DONE_MS = 60_000;

interface Group {
  /** Present keys: sample * 8 + shown (≥ 0). Keys that have left: -(shown + 1). */
  readonly keys: Map<Key, number>;
  changed: number;
}

function fromScheduler(state: TaskStateName, previous: Shown | undefined): Shown | undefined {
  switch (state) {
    case 'processing':
      return PROCESSING;
    case 'memory':
      return MEMORY;
    case 'erred':
      return ERRED;
    case 'released':
      return previous === MEMORY || previous === RELEASED ? RELEASED : WAITING;
    case 'forgotten':
      return undefined;
    default:
      return WAITING;
  }
}

function decode(code: number): Shown {
  return (code >= 0 ? code % 8 : -code - 1) as Shown;
}

export class PrefixProgressTracker {
  private readonly groups = new Map<string, Group>();
  private sampleNo = 1;

  private group(prefix: string, now: number): Group {
    let g = this.groups.get(prefix);
    if (g === undefined) {
      g = { keys: new Map(), changed: now };
      this.groups.set(prefix, g);
    }
    return g;
  }

  /** A worker reported `key` done between samples. */
  onTaskDone(key: Key, status: 'finished' | 'erred', now: number): void {
    const g = this.group(keyPrefix(key), now);
    const shown = status === 'finished' ? MEMORY : ERRED;
    const code = g.keys.get(key);
    // stamped with the previous sample: if the key is gone by the next one, it counts as released
    g.keys.set(key, code !== undefined && code < 0 ? -(shown + 1) : (this.sampleNo - 1) * 8 + shown);
    g.changed = now;
  }

  /** Walks the scheduler's tasks; O(tasks + keys remembered). */
  sample(tasks: ReadonlyMap<Key, SchedulerTask>, now: number): void {
    const stamp = ++this.sampleNo;
    let lastPrefix = '';
    let lastName = '';
    let g: Group | undefined;
    for (const ts of tasks.values()) {
      const key = ts.key;
      const name = keyName(key);
      if (g === undefined || name !== lastName) {
        lastName = name;
        const prefix = keyPrefix(name);
        if (g === undefined || prefix !== lastPrefix) {
          lastPrefix = prefix;
          g = this.group(prefix, now);
        }
      }
      const code = g.keys.get(key);
      const previous = code === undefined ? undefined : decode(code);
      const shown = fromScheduler(ts.state, previous);
      if (shown === undefined) continue;
      g.keys.set(key, stamp * 8 + shown);
      if (shown !== previous) g.changed = now;
    }
    this.sweep(stamp, now);
  }

  private sweep(stamp: number, now: number): void {
    for (const [prefix, g] of this.groups) {
      let present = 0;
      for (const [key, code] of g.keys) {
        if (code < 0) continue;
        if (Math.floor(code / 8) === stamp) {
          present++;
          continue;
        }
        const shown = decode(code);
        if (shown === WAITING) g.keys.delete(key);
        else g.keys.set(key, -((shown === ERRED ? ERRED : RELEASED) + 1));
        g.changed = now;
      }
      if ((present === 0 && now - g.changed > KEEP_DONE_MS) || g.keys.size === 0) this.groups.delete(prefix);
    }
    if (this.groups.size > MAX_GROUPS) {
      const oldest = [...this.groups]
        .sort((a, b) => a[1].changed - b[1].changed)
        .slice(0, this.groups.size - MAX_GROUPS);
      for (const [prefix] of oldest) this.groups.delete(prefix);
    }
  }

  /** Counts per prefix, in the order the prefixes were first seen. */
  progress(): PrefixProgress[] {
    const out: PrefixProgress[] = [];
    for (const [prefix, g] of this.groups) {
      const n = [0, 0, 0, 0, 0];
      for (const code of g.keys.values()) {
        const s = decode(code);
        n[s] = (n[s] ?? 0) + 1;
      }
      out.push({
        prefix,
        waiting: n[WAITING] ?? 0,
        processing: n[PROCESSING] ?? 0,
        memory: n[MEMORY] ?? 0,
        released: n[RELEASED] ?? 0,
        erred: n[ERRED] ?? 0,
        total: g.keys.size,
      });
    }
    return out;
  }

  clear(): void {
    this.groups.clear();
  }
}
