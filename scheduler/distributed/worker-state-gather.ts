/*
 * Choosing what to gather, run after every worker stimulus. Every fetch task is filed in one
 * priority queue per peer holding it (`fetchByPeer`, kept up to date as tasks enter and leave
 * fetch and as peers are added or dropped), so choosing costs O(peers) per gather, not a sort of
 * every fetch task.
 *
 * While fewer than `gathersTotal` gathers are outstanding: among peers with fewer than
 * `gathersPerPeer` gathers outstanding, take the most urgent fetch task any of them holds; ask for
 * it from the free peer holding the most fetch tasks (one get-data brings many keys), together
 * with that peer's next most urgent fetch tasks, up to `gatherBatch` keys and `gatherBytes` bytes
 * (sizes from compute-task; the first key goes whatever its size). Tasks asked for move
 * fetch -> flight with `comingFrom` = the peer (which takes them out of every peer queue).
 */
import type { Address } from './protocol.js';
import { comparePriority } from './scheduler-priority-queue.js';
import type { WorkerTask } from './worker-state-records.js';
import type { WorkerState } from './worker-state.js';

export function planGathers(w: WorkerState): void {
  const { gathersPerPeer, gathersTotal, gatherBatch, gatherBytes } = w.config;
  const free = (p: Address): boolean => (w.gathers.get(p) ?? 0) < gathersPerPeer;
  const queued = (p: Address): number => w.fetchByPeer.get(p)?.size ?? 0;
  while (w.gathersInFlight < gathersTotal) {
    let best: WorkerTask | undefined;
    for (const [peer, queue] of w.fetchByPeer) {
      if (!free(peer)) continue;
      const top = queue.peek();
      if (top !== undefined && (best === undefined || comparePriority(top.priority, best.priority) < 0)) best = top;
    }
    if (best === undefined) return;
    let peer: Address | undefined;
    for (const p of best.whoHas) if (free(p) && (peer === undefined || queued(p) > queued(peer))) peer = p;
    const queue = w.fetchByPeer.get(peer!)!;
    const batch: WorkerTask[] = [];
    let bytes = 0;
    for (
      let t = queue.peek();
      t !== undefined && batch.length < gatherBatch && (batch.length === 0 || bytes + t.nbytes <= gatherBytes);
      t = queue.peek()
    ) {
      batch.push(queue.pop()!);
      bytes += t.nbytes;
    }
    for (const t of batch) w.transition(t, 'flight', { peer: peer! });
    w.gathers.set(peer!, (w.gathers.get(peer!) ?? 0) + 1);
    w.gathersInFlight += 1;
    w.emit({ kind: 'gather', worker: peer!, keys: batch.map((t) => t.key) });
  }
}
