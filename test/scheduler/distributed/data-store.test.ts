// The worker's result store: least recently used values go to disk past the target, come back
// when read, and the spill folder is removed at close.
import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DataStore } from '../../../scheduler/distributed/data-store.js';

const MB = 1e6;
const chunk = (v: number): Float64Array => new Float64Array(125_000).fill(v); // 1 MB

describe('DataStore', () => {
  test('past the target the least recently used values are spilled, and read back on demand', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dask-ts-store-')), 'spill');
    const store = new DataStore(dir, 2.5 * MB);
    store.set('a', chunk(1), MB);
    store.set('b', chunk(2), MB);
    expect(store.get('a')).toEqual(chunk(1)); // a is now more recent than b
    store.set('c', chunk(3), MB);
    expect(store.memoryBytes).toBe(2 * MB);
    expect(store.spilledBytes).toBe(MB);
    expect(readdirSync(dir)).toHaveLength(1); // b, the least recently used
    expect(store.peek('b')).toEqual(chunk(2)); // served from disk, still spilled
    expect(store.spilledBytes).toBe(MB);
    expect(store.get('b')).toEqual(chunk(2)); // back in memory; something else went out
    expect(store.spilledBytes).toBe(MB);
    expect(store.memoryBytes).toBe(2 * MB);
    expect(store.has('a') && store.has('b') && store.has('c')).toBe(true);
    store.delete('a');
    store.delete('b');
    store.delete('c');
    expect(store.size).toBe(0);
    expect(readdirSync(dir)).toHaveLength(0);
    store.close();
    expect(existsSync(dir)).toBe(false);
  });

  test('spillUntil frees memory down to the bytes asked; values that cannot be written stay', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dask-ts-store-')), 'spill');
    const store = new DataStore(dir, Infinity);
    store.set('fn', () => 1, MB); // a function cannot be written to disk
    store.set('x', { values: chunk(5), label: 'five' }, MB);
    expect(store.spillUntil(0)).toBe(MB);
    expect(store.memoryBytes).toBe(MB);
    expect(store.get('x')).toEqual({ values: chunk(5), label: 'five' });
    expect(typeof store.get('fn')).toBe('function');
    store.close();
  });

  test('without a folder nothing is ever spilled', () => {
    const store = new DataStore(undefined, 0);
    store.set('a', chunk(1), MB);
    expect(store.spillUntil(0)).toBe(0);
    expect(store.memoryBytes).toBe(MB);
  });
});
