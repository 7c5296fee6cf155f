/*
 * WorkerEndpoint: the pool's side of one worker, whatever it is (a worker thread, a child
 * process, or a fake in tests). The pool (worker-pool.ts) decides which worker gets which batch,
 * what a death means and when to give up; an endpoint only carries batches and replies over its
 * channel, says when its worker has loaded and when it is gone, and holds the process open only
 * while its worker has work (`hold`). Endpoints start released: an idle pool never keeps a
 * script alive.
 */
import type { SendRules } from '../../src/core/serialize/unsendable.js';
import type { BatchMessage, BatchReply } from './batch-protocol.js';

/** What an endpoint reports to its pool. Each is called from the endpoint's own event handlers. */
export interface EndpointEvents {
  /** The worker's entry file has loaded: from now on a death is a task's, not a failed start. */
  loaded(): void;
  reply(reply: BatchReply): void;
  /**
   * The worker is gone (called once). `why` reads after "which died: " ('exited with code 1',
   * 'killed by SIGKILL', 'RangeError: ...').
   */
  exit(why: string): void;
}

export interface WorkerEndpoint {
  /** For messages: 'worker thread 3', 'worker process 1234'. */
  readonly label: string;
  /** What its channel can carry (threads: structured clone; processes: frames). */
  readonly rules: SendRules;
  /** Sends a batch (the endpoint encodes it for its channel); throws when the channel cannot carry it. */
  post(batch: BatchMessage): void;
  /**
   * The batch and task index the worker is running now, where the endpoint can tell (threads read
   * it from shared memory); undefined otherwise, and the pool assumes its oldest batch.
   */
  running(): { readonly batch: number; readonly task: number } | undefined;
  /** Keeps this process alive while the worker holds work (true), or lets it end (false). */
  hold(busy: boolean): void;
  /** Ends the worker now; `exit` follows. */
  terminate(): void;
  /** Settles once the worker has exited. */
  readonly exited: Promise<void>;
}

export type EndpointFactory<E extends WorkerEndpoint = WorkerEndpoint> = (events: EndpointEvents) => E;
