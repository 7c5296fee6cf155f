/*
 * runWorkerBody: the one body of every pool worker, whatever carries its messages. A worker
 * thread (threads/worker-entry.ts) and a child process (processes/worker-entry.ts) each only adapt
 * their channel to a WorkerTransport; from there both run batches in a WorkerRuntime and answer
 * in the order batches finish. Sending a reply may fail when a result cannot travel (structured
 * clone refuses a Symbol or a WeakMap; frames refuse an unregistered class): the failing task's
 * result is replaced by an unsendable error (worker-runtime.ts withoutUnsendable) and the rest of
 * the batch is sent, so the worker never dies of a result. Once the body is listening it says so
 * (`ready`), so a pool tells a worker that cannot start from one that died at work.
 */
import type { SendRules } from '../../src/core/serialize/unsendable.js';
import type { BatchMessage } from './batch-protocol.js';
import { WorkerRuntime, withoutUnsendable, type Outgoing } from './worker-runtime.js';

/** A worker's side of its channel to the pool. */
export interface WorkerTransport {
  /** What its channel can carry (worker threads: structured clone; processes: frames). */
  readonly rules: SendRules;
  onBatch(handler: (batch: BatchMessage) => void): void;
  /** Sends a reply; throws when the reply cannot be carried. */
  send(out: Outgoing): void;
  /** Tells the pool the worker has loaded. */
  ready(): void;
}

/** Runs batches from `transport` until the worker ends; `progress` is the threads' shared progress array. */
export function runWorkerBody(transport: WorkerTransport, progress: Int32Array | undefined): WorkerRuntime {
  const runtime = new WorkerRuntime(progress);
  const deliver = (out: Outgoing): void => {
    try {
      transport.send(out);
    } catch (error) {
      transport.send(withoutUnsendable(out, transport.rules, error));
    }
  };
  transport.onBatch((batch) => {
    const out = runtime.run(batch);
    if (out instanceof Promise) void out.then(deliver);
    else deliver(out);
  });
  transport.ready();
  return runtime;
}
