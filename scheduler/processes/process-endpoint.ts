/*
 * ProcessEndpoint: a WorkerEndpoint over one child process running dist/scheduler/processes/
 * worker-entry.js. Batches and replies cross Node's IPC channel ('advanced' serialization) as a
 * JSON header plus binary frames (process-messages.ts); the child says {ready} once its entry file
 * has loaded. A child cannot share memory with its parent, so the pool cannot see which task it is
 * running (`running` is undefined: the oldest outstanding batch is blamed).
 *
 * Node re-references a child and its IPC channel whenever a 'message' listener is added, so they
 * are released (unref) only after every listener is in place: an idle child must never keep a
 * script alive.
 */
import type { ChildProcess } from 'node:child_process';
import type { BatchMessage, BatchReply } from '../local/batch-protocol.js';
import { childExecArgv } from '../local/exec-argv.js';
import { forkEntry } from '../local/spawn-node.js';
import type { EndpointEvents, WorkerEndpoint } from '../local/worker-endpoint.js';
import { fromWire, isReady, toWire, type ReadyMessage, type WireMessage } from './process-messages.js';

interface Channel {
  ref?: () => void;
  unref?: () => void;
}

export class ProcessEndpoint implements WorkerEndpoint {
  readonly rules = 'frames';
  readonly label: string;
  readonly exited: Promise<void>;
  readonly process: ChildProcess;

  constructor(entry: string, events: EndpointEvents) {
    // Loader hooks (tsx) are kept, so a child can import a user's .ts module; main-program flags are not.
    this.process = forkEntry(entry, { execArgv: childExecArgv(), serialization: 'advanced', stderr: 'inherit' });
    this.label = `worker process ${this.process.pid ?? '(not started)'}`;
    this.process.on('message', (m: WireMessage | ReadyMessage) => {
      if (isReady(m)) events.loaded();
      else events.reply(fromWire(m) as BatchReply);
    });
    this.process.on('error', () => undefined); // an exit event follows and is handled there
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        events.exit(signal !== null ? `killed by ${signal}` : `exited with code ${code}`);
        resolve();
      });
    });
    this.hold(false);
  }

  post(batch: BatchMessage): void {
    this.process.send(toWire(batch));
  }

  running(): undefined {
    return undefined;
  }

  hold(busy: boolean): void {
    const channel = this.process.channel as Channel | null | undefined;
    if (busy) {
      this.process.ref();
      channel?.ref?.();
    } else {
      this.process.unref();
      channel?.unref?.();
    }
  }

  terminate(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}
