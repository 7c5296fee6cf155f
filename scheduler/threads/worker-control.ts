/*
 * The control plane of a pool thread, carried by comlink over a dedicated MessagePort: calls where
 * clarity beats microseconds (introspection now; configuration later). The task hot path does not
 * use it; see batch-protocol.ts.
 */
import type { MessagePort } from 'node:worker_threads';

export interface WorkerInfo {
  readonly threadId: number;
  /** Distinct functions this thread has resolved. */
  readonly functions: number;
  readonly heapUsed: number;
}

export interface WorkerControl {
  info(): WorkerInfo;
}

export interface WorkerData {
  /**
   * Int32Array over a SharedArrayBuffer, indexed by PROGRESS (local/worker-runtime.ts): the batch
   * running, the index of its running task or -1, and 1 once the thread's entry file has loaded.
   */
  readonly progress: Int32Array;
  readonly control: MessagePort;
}
