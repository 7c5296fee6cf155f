/*
 * DataStore: a worker's results, in memory while they fit and on disk when they do not (Dask's
 * zict-based SpillBuffer). Two maps, `fast` (values) and `slow` (files), each in least recently
 * used order (a Map iterates in insertion order; a read moves the key to the end).
 *
 *   set(key, value, nbytes)  into fast; then, while fast holds more than `target` bytes, the least
 *                            recently used value other than this one is written to a file
 *                            (wire.ts layout: JSON header + raw frames, typed arrays and Arrow
 *                            buffers as they are) and dropped from memory
 *   get(key)                 from fast, or read back from its file (the file is removed and the
 *                            value is in fast again: a spilled value is read when a task or a
 *                            peer needs it, transparently)
 *   peek(key)                for a peer: from memory or straight from its file, moving nothing
 *   spillUntil(bytes)        evicts least recently used values until fast holds at most `bytes`
 *                            (the memory monitor's answer to process RSS above the spill threshold)
 * A value that cannot be written (a function, an unregistered class) stays in memory. close()
 * removes the spill directory.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Key } from '../../src/core/graph/task.js';
import { fromFrames, toFrames } from '../../src/core/serialize/frames.js';
import { decodeWire, encodeWire } from './wire.js';
import type { FrameLimits } from './protocol.js';

interface InMemory {
  readonly value: unknown;
  readonly nbytes: number;
}
interface OnDisk {
  readonly path: string;
  readonly nbytes: number;
}

/** Spill files are our own bytes, not a peer's: no caps (and not a WebSocket's). */
const NO_LIMITS: FrameLimits = Object.freeze({
  maxHeaderBytes: 2 ** 32 - 1,
  maxFrames: 2 ** 32 - 1,
  maxTotalBytes: Number.MAX_SAFE_INTEGER,
});

export class DataStore {
  private readonly fast = new Map<Key, InMemory>();
  private readonly slow = new Map<Key, OnDisk>();
  private fileCounter = 0;
  /** Bytes of the values in memory. */
  memoryBytes = 0;
  /** Bytes of the values on disk. */
  spilledBytes = 0;
  /** Values written to disk so far. */
  spillCount = 0;

  constructor(
    /** Where spilled values go; undefined = never spill. */
    private readonly directory: string | undefined,
    /** Bytes kept in memory before spilling; Infinity = never spill on set. */
    private readonly target: number,
  ) {
    if (directory !== undefined) mkdirSync(directory, { recursive: true });
  }

  get size(): number {
    return this.fast.size + this.slow.size;
  }

  /** The size a value was stored with (0 when absent). */
  nbytesOf(key: Key): number {
    return this.fast.get(key)?.nbytes ?? this.slow.get(key)?.nbytes ?? 0;
  }

  has(key: Key): boolean {
    return this.fast.has(key) || this.slow.has(key);
  }

  set(key: Key, value: unknown, nbytes: number): void {
    this.delete(key);
    this.fast.set(key, { value, nbytes });
    this.memoryBytes += nbytes;
    if (this.memoryBytes > this.target) this.spillUntil(this.target, key);
  }

  get(key: Key): unknown {
    const hit = this.fast.get(key);
    if (hit !== undefined) {
      this.fast.delete(key);
      this.fast.set(key, hit);
      return hit.value;
    }
    const file = this.slow.get(key);
    if (file === undefined) return undefined;
    const value = readFile(key, file.path);
    this.forgetFile(key, file);
    this.fast.set(key, { value, nbytes: file.nbytes });
    this.memoryBytes += file.nbytes;
    if (this.memoryBytes > this.target) this.spillUntil(this.target, key);
    return value;
  }

  /** The value without making it recently used or reading it back into memory (serving a peer). */
  peek(key: Key): unknown {
    const hit = this.fast.get(key);
    if (hit !== undefined) return hit.value;
    const file = this.slow.get(key);
    return file === undefined ? undefined : readFile(key, file.path);
  }

  delete(key: Key): void {
    const hit = this.fast.get(key);
    if (hit !== undefined) {
      this.fast.delete(key);
      this.memoryBytes -= hit.nbytes;
    }
    const file = this.slow.get(key);
    if (file !== undefined) this.forgetFile(key, file);
  }

  /** Writes least recently used values to disk until at most `bytes` are in memory (never `keep`). */
  spillUntil(bytes: number, keep?: Key): number {
    if (this.directory === undefined) return 0;
    let written = 0;
    for (const [key, entry] of this.fast) {
      if (this.memoryBytes <= bytes) break;
      if (key === keep) continue;
      const path = join(this.directory, `${this.fileCounter++}.bin`);
      try {
        const { header, frames } = toFrames(entry.value);
        writeFileSync(path, encodeWire(header, frames));
      } catch {
        continue; // cannot be written: it stays in memory
      }
      this.fast.delete(key);
      this.memoryBytes -= entry.nbytes;
      this.slow.set(key, { path, nbytes: entry.nbytes });
      this.spilledBytes += entry.nbytes;
      this.spillCount += 1;
      written += entry.nbytes;
    }
    return written;
  }

  /** Drops everything and removes the spill directory. */
  close(): void {
    this.fast.clear();
    this.slow.clear();
    this.memoryBytes = 0;
    this.spilledBytes = 0;
    if (this.directory !== undefined) rmSync(this.directory, { recursive: true, force: true });
  }

  private forgetFile(key: Key, file: OnDisk): void {
    this.slow.delete(key);
    this.spilledBytes -= file.nbytes;
    rmSync(file.path, { force: true });
  }
}

function readFile(key: Key, path: string): unknown {
  const decoded = decodeWire(readFileSync(path), NO_LIMITS);
  if (!decoded.ok) throw new Error(`the spilled value of ${key} in ${path} is damaged: ${decoded.error}`);
  return fromFrames(decoded.header, decoded.frames);
}
