/*
 * Entry file of a pool child process (loaded from dist/). Batches arrive over the IPC channel as
 * header + frames, run in the same WorkerRuntime the threads use, and replies go back the same
 * way. Once loaded it says so (the pool tells a child that cannot start from one that died in a
 * task). The process ends when its parent disconnects.
 */
import { WorkerRuntime } from '../local/worker-runtime.js';
import type { BatchMessage } from '../local/batch-protocol.js';
import { fromWire, toWire, type ReadyMessage, type WireMessage } from './process-messages.js';

if (process.send === undefined) throw new Error('worker-entry.js must run as a forked child process');
const send = process.send.bind(process);
const runtime = new WorkerRuntime(undefined);

process.on('message', (wire: WireMessage) => {
  const out = runtime.run(fromWire(wire) as BatchMessage);
  const reply = (o: { reply: unknown }): void => void send(toWire(o.reply));
  if (out instanceof Promise) void out.then(reply);
  else reply(out);
});
process.on('disconnect', () => process.exit(0));
const ready: ReadyMessage = { ready: true };
send(ready);
