/*
 * UniqueList: items in first-seen order without repeats, identified by a string key. Small lists
 * (a task's few dependencies, the common case) are checked by a linear scan, which beats hashing;
 * past 16 items a Set of keys takes over, so a task reading a million keys stays linear.
 */
const SCAN_LIMIT = 16;

export class UniqueList<T> {
  readonly items: T[] = [];
  private keys: Set<string> | undefined;
  constructor(private readonly keyOf: (item: T) => string) {}

  /** Adds `item` unless an item with its key is already present. */
  add(item: T): void {
    const k = this.keyOf(item);
    if (this.keys !== undefined) {
      if (this.keys.has(k)) return;
      this.keys.add(k);
    } else if (this.items.length < SCAN_LIMIT) {
      for (const existing of this.items) if (existing === item || this.keyOf(existing) === k) return;
    } else {
      this.keys = new Set(this.items.map(this.keyOf));
      if (this.keys.has(k)) return;
      this.keys.add(k);
    }
    this.items.push(item);
  }
}

/** True when no element of `args` is an object (so nothing inside can be a reference). */
export function allPrimitive(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== null && typeof a === 'object') return false;
  }
  return true;
}
