/*
 * ReadyHeap: a binary min-heap of task indices. Indices are priorities (plan.ts numbers tasks in
 * priority order), so popping the minimum runs the most urgent ready task. Stored in one
 * Int32Array sized for the whole graph: no allocation per push.
 */
export class ReadyHeap {
  private readonly heap: Int32Array;
  private count = 0;
  constructor(capacity: number) {
    this.heap = new Int32Array(Math.max(1, capacity));
  }
  get size(): number {
    return this.count;
  }
  push(value: number): void {
    const h = this.heap;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (p <= value) break;
      h[i] = p;
      i = parent;
    }
    h[i] = value;
  }
  /** Removes and returns the smallest index; the heap must not be empty. */
  pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h[--this.count]!;
    const n = this.count;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && h[right]! < h[child]!) child = right;
      if (h[child]! >= last) break;
      h[i] = h[child]!;
      i = child;
    }
    if (n > 0) h[i] = last;
    return top;
  }
}
