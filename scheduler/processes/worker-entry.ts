/*
 * Entry file of a pool child process (loaded from dist/): the one worker body
 * (local/worker-body.ts) over the IPC channel, batches and replies as header + frames
 * (process-messages.ts). Once loaded it says {ready}. The process ends when its parent disconnects.
 */
import type { BatchMessage } from '../local/batch-protocol.js';
import { runWorkerBody } from '../local/worker-body.js';
import { fromWire, toWire, type ReadyMessage, type WireMessage } from './process-messages.js';

if (process.send === undefined) throw new Error('worker-entry.js must run as a forked child process');
const send = process.send.bind(process);

runWorkerBody(
  {
    rules: 'frames',
    onBatch: (handler) => process.on('message', (wire: WireMessage) => handler(fromWire(wire) as BatchMessage)),
    send: (out) => void send(toWire(out.reply)),
    ready: () => void send({ ready: true } satisfies ReadyMessage),
  },
  undefined,
);
process.on('disconnect', () => process.exit(0));
