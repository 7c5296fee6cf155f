/*
 * PriorityQueue: a binary min-heap of items ordered by their Priority tuples (smaller runs sooner,
 * compared element by element; ties go to the item added first). Used by the scheduler for queued
 * root tasks and by the worker for ready tasks and fetches.
 *
 * Removal is lazy: `delete` only forgets the item's entry number, and entries whose number is no
 * longer the item's current one are skipped when they reach the top. The heap is rebuilt when
 * stale entries outnumber live ones, so memory stays proportional to the live items.
 */
import type { Priority } from './protocol.js';

/** Negative when `a` runs before `b`. A shorter tuple that is a prefix of the other runs first. */
export function comparePriority(a: Priority, b: Priority): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

interface Entry<T> {
  readonly item: T;
  readonly seq: number;
  readonly priority: Priority;
}

export class PriorityQueue<T> {
  private heap: Entry<T>[] = [];
  /** Live items and the number of their current entry. */
  private readonly live = new Map<T, number>();
  private nextSeq = 0;

  constructor(private readonly priorityOf: (item: T) => Priority) {}

  get size(): number {
    return this.live.size;
  }

  has(item: T): boolean {
    return this.live.has(item);
  }

  /** Adds the item (or re-files it under its current priority). */
  add(item: T): void {
    const seq = this.nextSeq++;
    this.live.set(item, seq);
    this.heap.push({ item, seq, priority: this.priorityOf(item) });
    this.up(this.heap.length - 1);
  }

  delete(item: T): boolean {
    const had = this.live.delete(item);
    if (had && this.heap.length > 64 && this.heap.length > 2 * this.live.size) this.rebuild();
    return had;
  }

  /** The most urgent item, without removing it. */
  peek(): T | undefined {
    this.dropStale();
    return this.heap[0]?.item;
  }

  pop(): T | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.live.delete(top.item);
    this.removeTop();
    return top.item;
  }

  /** Live items, in no particular order. */
  values(): IterableIterator<T> {
    return this.live.keys();
  }

  private less(a: Entry<T>, b: Entry<T>): number {
    return comparePriority(a.priority, b.priority) || a.seq - b.seq;
  }

  private dropStale(): void {
    for (let top = this.heap[0]; top !== undefined && this.live.get(top.item) !== top.seq; top = this.heap[0])
      this.removeTop();
  }

  private removeTop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private rebuild(): void {
    this.heap = this.heap.filter((e) => this.live.get(e.item) === e.seq);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(h[parent]!, e) <= 0) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(h[child + 1]!, h[child]!) < 0) child += 1;
      if (this.less(h[child]!, e) >= 0) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = e;
  }
}
