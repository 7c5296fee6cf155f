/*
 * Work stealing, kept simple. A worker is idle when it processes fewer tasks than it has threads
 * (counting tasks already promised to it by pending steals). A victim is a worker processing more
 * tasks than it has threads: a worker runs its tasks in priority order, so all but its `nthreads`
 * most urgent tasks have certainly not started, and the least urgent of those are stolen first.
 *
 * `balance` sends steal-request for up to (free threads) tasks per idle worker, taken from the
 * most occupied victims, and remembers each request in `s.steals`. The task stays processing on
 * the victim until it answers: `stealResponse` with accepted = true (the victim dropped the task
 * before starting it) moves the task to the thief and sends compute-task there; a refusal, or a
 * task that finished or moved meanwhile, changes nothing. If the thief died in the meantime, or
 * the answer matches no pending request (answers carry no request id, so a late one can meet a
 * newer request), an accepted task still processing on the answering worker is rescheduled
 * (processing->waiting) without counting a death against it.
 */
import type { Address } from './protocol.js';
import type { SchedulerCore } from './scheduler-core.js';
import { occupancy } from './scheduler-placement.js';
import type { SchedulerTask, WorkerRecord } from './scheduler-records.js';
import { comparePriority } from './scheduler-priority-queue.js';

export function balance(s: SchedulerCore): void {
  const incoming = new Map<WorkerRecord, number>();
  const outgoing = new Map<WorkerRecord, number>();
  for (const { victim, thief } of s.steals.values()) {
    incoming.set(thief, (incoming.get(thief) ?? 0) + 1);
    outgoing.set(victim, (outgoing.get(victim) ?? 0) + 1);
  }
  const spare = (ws: WorkerRecord): number => ws.processing.size - ws.nthreads - (outgoing.get(ws) ?? 0);
  const thieves = [...s.workers.values()]
    .filter((ws) => ws.status === 'running' && ws.processing.size + (incoming.get(ws) ?? 0) < ws.nthreads)
    .sort((a, b) => occupancy(a) - occupancy(b));
  for (const thief of thieves) {
    let free = thief.nthreads - thief.processing.size - (incoming.get(thief) ?? 0);
    while (free > 0) {
      let victim: WorkerRecord | undefined;
      for (const ws of s.workers.values()) {
        if (ws !== thief && spare(ws) > 0 && (victim === undefined || spare(ws) > spare(victim))) victim = ws;
      }
      if (victim === undefined) return;
      const ts = leastUrgentUnclaimed(s, victim);
      if (ts === undefined) break;
      s.steals.set(ts, { victim, thief });
      outgoing.set(victim, (outgoing.get(victim) ?? 0) + 1);
      s.send(victim, { op: 'steal-request', key: ts.key });
      free -= 1;
    }
  }
}

function leastUrgentUnclaimed(s: SchedulerCore, victim: WorkerRecord): SchedulerTask | undefined {
  let worst: SchedulerTask | undefined;
  for (const ts of victim.processing) {
    if (s.steals.has(ts)) continue;
    if (worst === undefined || comparePriority(ts.priority, worst.priority) > 0) worst = ts;
  }
  return worst;
}

export function stealResponse(s: SchedulerCore, worker: Address, key: string, accepted: boolean): void {
  const ts = s.tasks.get(key);
  if (ts === undefined) return;
  const pending = s.steals.get(ts);
  const answered = pending !== undefined && pending.victim.address === worker ? pending : undefined;
  if (answered !== undefined) s.steals.delete(ts);
  // Answers carry no request id, so an answer may be for an older request. Whatever it answers,
  // "accepted" means the worker dropped the task: if it is still processing there, move it on.
  if (!accepted || ts.state !== 'processing' || ts.processingOn?.address !== worker) return;
  const thief = answered?.thief;
  if (thief === undefined || s.workers.get(thief.address) !== thief) {
    s.transition(ts, 'waiting');
    return;
  }
  s.unassign(ts);
  s.assign(ts, thief);
}
