/*
 * The two graph pieces that travel inside a task's args over the wire (frames.ts codecs):
 *   TaskRef      → header: the key; no buffers. Decodes to a TaskRef, which the worker replaces by
 *                  the dependency's value when it runs the task.
 *   inline Task  → header: {key, fn: FnRef, args: <frames.ts header of the args>}; buffers: the
 *                  args' frames. Decodes to a Task whose function is functionForRef(fn), so the
 *                  worker's thread pool ships it on by reference like any other task.
 * Registered by ensureGraphCodecs(), which the client, the scheduler and the worker call before
 * they encode or decode task args (registration is idempotent).
 */
import { Task, TaskRef } from '../../src/core/graph/task.js';
import { registerCodec, type Codec, type JsonValue } from '../../src/core/serialize/codec-registry.js';
import { fnRefOf, functionForRef, type FnRef } from '../../src/core/serialize/fn-ref.js';
import { fromFrames, toFrames } from '../../src/core/serialize/frames.js';
import { SerializationError } from '../../src/core/errors.js';

const taskRefCodec: Codec<TaskRef> = {
  name: 'dask-ts/task-ref',
  canHandle: (v): v is TaskRef => v instanceof TaskRef,
  encode: (ref) => ({ header: ref.key, buffers: [] }),
  decode: (header) => {
    if (typeof header !== 'string') throw new SerializationError('a task reference must carry its key as a string');
    return new TaskRef(header);
  },
};

const inlineTaskCodec: Codec<Task> = {
  name: 'dask-ts/inline-task',
  canHandle: (v): v is Task => v instanceof Task,
  encode: (task) => {
    const { header, frames } = toFrames(task.args);
    const fn = fnRefOf(task.fn) as unknown as JsonValue;
    return { header: { key: task.key, fn, args: header }, buffers: frames };
  },
  decode: (header, buffers) => {
    const h = header as { key?: unknown; fn?: unknown; args?: unknown } | null;
    if (
      h === null ||
      typeof h !== 'object' ||
      typeof h.key !== 'string' ||
      typeof h.args !== 'string' ||
      !isFnRef(h.fn)
    ) {
      throw new SerializationError('an inline task must carry {key, fn, args}');
    }
    const args = fromFrames(h.args, buffers);
    if (!Array.isArray(args)) throw new SerializationError("an inline task's args must be an array");
    return new Task(h.key, functionForRef(h.fn), args);
  },
};

function isFnRef(v: unknown): v is FnRef {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (r.kind === 'module') return typeof r.module === 'string' && typeof r.export === 'string';
  return r.kind === 'source' && typeof r.source === 'string' && typeof r.name === 'string';
}

let registered = false;

/** Registers the TaskRef and inline-Task codecs (idempotent). */
export function ensureGraphCodecs(): void {
  if (registered) return;
  registered = true;
  registerCodec(taskRefCodec);
  registerCodec(inlineTaskCodec);
}
