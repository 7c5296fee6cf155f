/*
 * The worker's invariants, checked after every stimulus when `config.validate` is on:
 *   links      dependencies ↔ dependents on both sides, only live tasks; dependents are waiting
 *              or ready (a task lets go of its dependencies when it starts)
 *   waiting    waitingFor is non-empty and is exactly the dependencies not in memory; a ready
 *              task has every dependency in memory; waitingFor is empty in other states
 *   queues     ready ⇔ in the ready queue; fetch ⇔ in `fetching`, has a peer, and is queued
 *              under exactly its peers in `fetchByPeer` (no empty peer queue); missing ⇒ no
 *              peer; `executing` holds exactly the executing tasks and those cancelled while
 *              executing, at most nthreads of them, and no ready task waits while a thread is free (unless paused)
 *   gathers    flight (or cancelled from flight) ⇒ a gather to `comingFrom` is outstanding; the
 *              per-peer counts add up and respect the limits
 *   life       waiting / ready / executing tasks have a run spec and are scheduled; every task is
 *              scheduled, needed by a dependent, or cancelled; error ⇒ error record; no task
 *              lists this worker as a peer; memoryBytes is the sum over tasks in memory
 */
import type { WorkerState } from './worker-state.js';
import type { WorkerTask } from './worker-state-records.js';

function fail(w: WorkerState, what: string): never {
  throw new Error(`worker ${w.config.address} invariant violated: ${what}`);
}

export function validateWorker(w: WorkerState): void {
  let bytes = 0;
  for (const [key, t] of w.tasks) {
    if (t.key !== key) fail(w, `task ${t.key} is filed under ${key}`);
    validateLinks(w, t);
    validateQueues(w, t);
    validateLife(w, t);
    if (t.state === 'memory') bytes += t.nbytes;
  }
  if (bytes !== w.memoryBytes) fail(w, `memoryBytes is ${w.memoryBytes} but tasks in memory hold ${bytes}`);
  for (const t of w.ready.values())
    if (w.tasks.get(t.key) !== t || t.state !== 'ready') fail(w, `${t.key} is in the ready queue but ${t.state}`);
  for (const t of w.fetching)
    if (w.tasks.get(t.key) !== t || t.state !== 'fetch') fail(w, `${t.key} is in fetching but ${t.state}`);
  for (const t of w.executing) {
    const holds = t.state === 'executing' || (t.state === 'cancelled' && t.cancelledFrom === 'executing');
    if (w.tasks.get(t.key) !== t || !holds) fail(w, `${t.key} holds a thread but is ${t.state}`);
  }
  if (w.executing.size > w.config.nthreads)
    fail(w, `${w.executing.size} tasks hold threads, more than nthreads ${w.config.nthreads}`);
  if (!w.paused && w.executing.size < w.config.nthreads && w.ready.size > 0)
    fail(w, `a thread is free while ${w.ready.size} tasks are ready`);
  for (const [peer, queue] of w.fetchByPeer) if (queue.size === 0) fail(w, `an empty fetch queue is kept for ${peer}`);
  let total = 0;
  for (const [peer, n] of w.gathers) {
    if (n <= 0 || n > w.config.gathersPerPeer)
      fail(w, `${n} gathers outstanding from ${peer} (limit ${w.config.gathersPerPeer})`);
    total += n;
  }
  if (total !== w.gathersInFlight || total > w.config.gathersTotal)
    fail(w, `gathersInFlight is ${w.gathersInFlight}, per-peer counts add up to ${total}`);
}

function validateLinks(w: WorkerState, t: WorkerTask): void {
  for (const d of t.dependencies) {
    if (w.tasks.get(d.key) !== d) fail(w, `${t.key} depends on ${d.key}, which is forgotten`);
    if (!d.dependents.has(t)) fail(w, `${t.key} depends on ${d.key}, which does not list it`);
  }
  for (const d of t.dependents) {
    if (w.tasks.get(d.key) !== d) fail(w, `${t.key} has the forgotten dependent ${d.key}`);
    if (!d.dependencies.has(t)) fail(w, `${t.key} lists dependent ${d.key}, which does not depend on it`);
    if (d.state !== 'waiting' && d.state !== 'ready') fail(w, `${t.key} has dependent ${d.key} in state ${d.state}`);
  }
  if (t.state === 'waiting') {
    if (t.waitingFor.size === 0) fail(w, `${t.key} is waiting for nothing`);
    for (const d of t.dependencies) {
      if ((d.state === 'memory') === t.waitingFor.has(d))
        fail(
          w,
          `${t.key} is waiting; dependency ${d.key} is ${d.state} but ${t.waitingFor.has(d) ? 'is' : 'is not'} in waitingFor`,
        );
    }
  } else if (t.waitingFor.size > 0) {
    fail(w, `${t.key} is ${t.state} but waits for ${[...t.waitingFor].map((d) => d.key).join(', ')}`);
  }
  if (t.state === 'ready')
    for (const d of t.dependencies) if (d.state !== 'memory') fail(w, `${t.key} is ready but ${d.key} is ${d.state}`);
}

function validateQueues(w: WorkerState, t: WorkerTask): void {
  if ((t.state === 'ready') !== w.ready.has(t))
    fail(w, `${t.key} is ${t.state} and ${w.ready.has(t) ? 'in' : 'not in'} the ready queue`);
  if ((t.state === 'fetch') !== w.fetching.has(t))
    fail(w, `${t.key} is ${t.state} and ${w.fetching.has(t) ? 'in' : 'not in'} fetching`);
  if (t.state === 'fetch' && t.whoHas.size === 0) fail(w, `${t.key} is fetch without a peer`);
  for (const [peer, queue] of w.fetchByPeer) {
    if (queue.has(t) !== (t.state === 'fetch' && t.whoHas.has(peer)))
      fail(w, `${t.key} is ${t.state} and ${queue.has(t) ? 'is' : 'is not'} queued for ${peer}`);
  }
  if (t.state === 'fetch')
    for (const p of t.whoHas)
      if (w.fetchByPeer.get(p)?.has(t) !== true) fail(w, `${t.key} is fetch but not queued for ${p}`);
  if (t.state === 'missing' && t.whoHas.size > 0)
    fail(w, `${t.key} is missing but ${[...t.whoHas].join(', ')} hold it`);
  const holds = t.state === 'executing' || (t.state === 'cancelled' && t.cancelledFrom === 'executing');
  if (holds !== w.executing.has(t))
    fail(w, `${t.key} is ${t.state} and ${w.executing.has(t) ? 'holds' : 'does not hold'} a thread`);
  const inFlight = t.state === 'flight' || (t.state === 'cancelled' && t.cancelledFrom === 'flight');
  if (inFlight && (t.comingFrom === undefined || (w.gathers.get(t.comingFrom) ?? 0) === 0))
    fail(w, `${t.key} is in flight from ${t.comingFrom ?? 'nobody'} without a gather outstanding`);
  if (t.state === 'cancelled' && t.cancelledFrom === undefined) fail(w, `${t.key} is cancelled from nothing`);
}

function validateLife(w: WorkerState, t: WorkerTask): void {
  const computing = t.state === 'waiting' || t.state === 'ready' || t.state === 'executing';
  if (computing && (t.run === undefined || !t.scheduled))
    fail(w, `${t.key} is ${t.state} without ${t.run === undefined ? 'a run spec' : 'the scheduler asking for it'}`);
  if (!t.scheduled && t.dependents.size === 0 && t.state !== 'cancelled')
    fail(w, `${t.key} is ${t.state}, not scheduled and not needed: it should be forgotten`);
  if (t.state === 'error' && t.error === undefined) fail(w, `${t.key} is error without an error record`);
  if (t.state === 'released' || t.state === 'forgotten') fail(w, `${t.key} is left ${t.state}`);
  if (t.whoHas.has(w.config.address)) fail(w, `${t.key} lists this worker as a peer`);
}
