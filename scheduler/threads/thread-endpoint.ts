/*
 * ThreadEndpoint: a WorkerEndpoint over one worker thread running dist/scheduler/threads/
 * worker-entry.js. Batches go by postMessage (structured clone; shared memory stays shared) and
 * replies come back with their buffers transferred. A small shared progress array
 * (local/worker-runtime.ts PROGRESS) tells, even after the thread died, which batch and task it was
 * running and whether its entry file had loaded. A comlink port carries the control plane (info()).
 *
 * Node re-references a Worker whenever a 'message' listener is added, so the thread is released
 * (unref) only after every listener is in place: an idle thread must never keep a script alive.
 */
import type { Worker } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import { PROGRESS } from '../local/worker-runtime.js';
import type { BatchMessage, BatchReply } from '../local/batch-protocol.js';
import type { EndpointEvents, WorkerEndpoint } from '../local/worker-endpoint.js';
import type { WorkerControl, WorkerData, WorkerInfo } from './worker-control.js';
import { startThread } from './start-thread.js';

export interface ThreadEndpointOptions {
  /** Heap limit of the thread (V8 old generation), in MiB; a task exceeding it ends the thread. */
  readonly maxHeapMb?: number;
}

export class ThreadEndpoint implements WorkerEndpoint {
  readonly rules = 'clone';
  readonly label: string;
  readonly exited: Promise<void>;
  private readonly worker: Worker;
  private readonly progress = new Int32Array(new SharedArrayBuffer(PROGRESS.length * 4));
  private readonly control: Remote<WorkerControl>;
  private lastError: Error | undefined;
  private loaded = false;

  constructor(entry: URL, options: ThreadEndpointOptions, events: EndpointEvents) {
    const { port1, port2 } = new MessageChannel();
    const data: WorkerData = { progress: this.progress, control: port2 };
    this.progress[PROGRESS.task] = -1;
    const limits =
      options.maxHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } };
    this.worker = startThread(entry, { workerData: data, transferList: [port2], ...limits });
    this.label = `worker thread ${this.worker.threadId}`;
    this.control = wrap<WorkerControl>(port1);
    port1.unref();
    const markLoaded = (): void => {
      if (this.loaded || Atomics.load(this.progress, PROGRESS.loaded) !== 1) return;
      this.loaded = true;
      events.loaded();
    };
    this.worker.on('message', (reply: BatchReply) => {
      markLoaded();
      events.reply(reply);
    });
    this.worker.on('error', (error: Error) => (this.lastError = error));
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code: number) => {
        markLoaded();
        this.control[releaseProxy]();
        const e = this.lastError;
        events.exit(e !== undefined ? `${e.name}: ${e.message}` : `the thread exited with code ${code}`);
        resolve();
      });
    });
    this.worker.unref();
  }

  post(batch: BatchMessage): void {
    this.worker.postMessage(batch);
  }

  running(): { batch: number; task: number } | undefined {
    return { batch: Atomics.load(this.progress, PROGRESS.batch), task: Atomics.load(this.progress, PROGRESS.task) };
  }

  hold(busy: boolean): void {
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  terminate(): void {
    void this.worker.terminate();
  }

  /** What the thread reports about itself (via the comlink control plane). */
  info(): Promise<WorkerInfo> {
    return this.control.info();
  }
}
