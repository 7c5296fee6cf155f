/*
 * allocateShared: SharedArrayBuffers for chunks, with the garbage collector kept informed.
 *
 * V8 (Node 20) does not count a SharedArrayBuffer's memory as pressure on the heap that holds it:
 * a thread that makes and drops a 128 MiB block per task keeps every dropped block until some
 * unrelated collection happens (measured: 40 dropped blocks → 5 GiB resident). So every thread
 * counts the shared bytes it allocates and, past a threshold, asks for a young-generation
 * collection (about 0.3 ms; dropped blocks are usually young), and for a full one when much more
 * has been allocated since the last. The collector is reached through the documented
 * --expose-gc flag, set at run time for this isolate only; if that is unavailable, allocation
 * simply proceeds. A process with a small memory budget (a distributed worker with a memory limit)
 * lowers the young-generation threshold through DASK_TS_SHARED_GC_MB, read when a thread starts.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options?: { type?: 'minor' | 'major' }) => void;

const BUDGET_MB = Number(process.env.DASK_TS_SHARED_GC_MB);
const MINOR_EVERY = (BUDGET_MB > 0 ? BUDGET_MB : 256) * 2 ** 20;
const MAJOR_EVERY = BUDGET_MB > 0 ? 4 * MINOR_EVERY : 2 * 2 ** 30;

let collect: Collect | null | undefined;
let sinceMinor = 0;
let sinceMajor = 0;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  } catch {
    collect = null;
  }
  return collect;
}

export function allocateShared(byteLength: number): SharedArrayBuffer {
  sinceMinor += byteLength;
  sinceMajor += byteLength;
  if (sinceMinor >= MINOR_EVERY) {
    const gc = collector();
    const major = sinceMajor >= MAJOR_EVERY;
    gc?.({ type: major ? 'major' : 'minor' });
    sinceMinor = 0;
    if (major) sinceMajor = 0;
  }
  return new SharedArrayBuffer(byteLength);
}
