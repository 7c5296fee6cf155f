/*
 * The scheduler's invariants, checked after every stimulus when `config.validate` is on (the tests
 * run that way). The first violation throws an Error naming the task or worker and the rule:
 *   links      dependencies ↔ dependents, whoHas ↔ hasWhat, processingOn ↔ processing and
 *              whoWants ↔ wantsWhat hold on both sides, and point only at live records
 *              (no forgotten task, no removed worker or client)
 *   waiters    a task's waiters are exactly its dependents in an active state
 *   waiting    waitingOn is non-empty and is exactly the dependencies not in memory; empty in
 *              every other state; queued, no-worker and processing tasks have every dependency
 *              in memory
 *   states     processing ⇔ processingOn; memory ⇔ whoHas non-empty; queued ⇔ in the queue (and
 *              a root task); no-worker ⇔ unrunnable; erred ⇒ exception
 *   need       active and memory tasks are needed (a client wants them or a waiter waits);
 *              released tasks are not needed and have dependents; erred tasks are wanted or have
 *              dependents; scattered tasks (no spec) are never active
 *   slots      the queue holds tasks only while every worker is saturated; no-worker tasks only
 *              while no worker is registered
 *   bytes      each worker's nbytes is the sum over its hasWhat
 *   steals     pending steals name processing tasks of the victim
 */
import type { SchedulerCore } from './scheduler-core.js';
import { hasRunningWorker, isSaturated, rootTaskMs } from './scheduler-placement.js';
import { ACTIVE_STATES, type SchedulerTask } from './scheduler-records.js';

function fail(what: string): never {
  throw new Error(`scheduler invariant violated: ${what}`);
}

export function validateScheduler(s: SchedulerCore): void {
  for (const [key, ts] of s.tasks) {
    if (ts.key !== key) fail(`task ${ts.key} is filed under key ${key}`);
    validateLinks(s, ts);
    validateWaiting(s, ts);
    validateState(s, ts);
    validateNeed(s, ts);
  }
  validateWorkers(s);
  for (const [id, cs] of s.clients) {
    if (cs.id !== id) fail(`client ${cs.id} is filed under ${id}`);
    for (const ts of cs.wantsWhat) {
      if (!ts.whoWants.has(cs)) fail(`client ${id} wants ${ts.key}, but the task does not list it`);
      if (s.tasks.get(ts.key) !== ts) fail(`client ${id} wants ${ts.key}, which is forgotten`);
    }
  }
  validateQueues(s);
}

function validateLinks(s: SchedulerCore, ts: SchedulerTask): void {
  const live = (t: SchedulerTask): boolean => s.tasks.get(t.key) === t;
  for (const d of ts.dependencies) {
    if (!live(d)) fail(`${ts.key} depends on ${d.key}, which is forgotten`);
    if (!d.dependents.has(ts)) fail(`${ts.key} depends on ${d.key}, which does not list it as a dependent`);
  }
  for (const d of ts.dependents) {
    if (!live(d)) fail(`${ts.key} has the forgotten dependent ${d.key}`);
    if (!d.dependencies.has(ts)) fail(`${ts.key} lists dependent ${d.key}, which does not depend on it`);
  }
  for (const ws of ts.whoHas) {
    if (s.workers.get(ws.address) !== ws) fail(`${ts.key} is held by ${ws.address}, which is not registered`);
    if (!ws.hasWhat.has(ts)) fail(`${ts.key} is held by ${ws.address}, whose hasWhat lacks it`);
  }
  for (const cs of ts.whoWants) {
    if (s.clients.get(cs.id) !== cs) fail(`${ts.key} is wanted by ${cs.id}, which is not connected`);
    if (!cs.wantsWhat.has(ts)) fail(`${ts.key} is wanted by ${cs.id}, whose wantsWhat lacks it`);
  }
  for (const w of ts.waiters)
    if (!ts.dependents.has(w)) fail(`${ts.key} has waiter ${w.key}, which is not a dependent`);
  for (const d of ts.dependents) {
    if (ACTIVE_STATES.has(d.state) !== ts.waiters.has(d)) {
      fail(`${ts.key}: dependent ${d.key} is ${d.state} but ${ts.waiters.has(d) ? 'is' : 'is not'} among its waiters`);
    }
  }
}

function inMemory(d: SchedulerTask): boolean {
  return d.state === 'memory' && d.whoHas.size > 0;
}

function validateWaiting(_s: SchedulerCore, ts: SchedulerTask): void {
  if (ts.state === 'waiting') {
    if (ts.waitingOn.size === 0) fail(`${ts.key} is waiting on nothing`);
    for (const d of ts.dependencies) {
      if (inMemory(d) === ts.waitingOn.has(d)) {
        fail(
          `${ts.key} is waiting; its dependency ${d.key} is ${d.state} but ${ts.waitingOn.has(d) ? 'is' : 'is not'} in waitingOn`,
        );
      }
    }
    for (const d of ts.waitingOn)
      if (!ts.dependencies.has(d)) fail(`${ts.key} waits on ${d.key}, which is not a dependency`);
    return;
  }
  if (ts.waitingOn.size > 0)
    fail(`${ts.key} is ${ts.state} but waits on ${[...ts.waitingOn].map((d) => d.key).join(', ')}`);
  if (ts.state === 'processing' || ts.state === 'queued' || ts.state === 'no-worker') {
    for (const d of ts.dependencies)
      if (!inMemory(d)) fail(`${ts.key} is ${ts.state} but its dependency ${d.key} is ${d.state}`);
  }
}

function validateState(s: SchedulerCore, ts: SchedulerTask): void {
  const ws = ts.processingOn;
  if ((ts.state === 'processing') !== (ws !== undefined))
    fail(`${ts.key} is ${ts.state} with processingOn ${ws?.address ?? 'unset'}`);
  if (ws !== undefined) {
    if (s.workers.get(ws.address) !== ws) fail(`${ts.key} is processing on ${ws.address}, which is not registered`);
    if (!ws.processing.has(ts)) fail(`${ts.key} is processing on ${ws.address}, whose processing set lacks it`);
  }
  if ((ts.state === 'memory') !== ts.whoHas.size > 0)
    fail(`${ts.key} is ${ts.state} and held by ${ts.whoHas.size} workers`);
  if ((ts.state === 'queued') !== s.queued.has(ts))
    fail(`${ts.key} is ${ts.state} and ${s.queued.has(ts) ? 'in' : 'not in'} the queue`);
  if (ts.state === 'queued' && ts.dependencies.size > 0) fail(`${ts.key} is queued but has dependencies`);
  if ((ts.state === 'no-worker') !== s.unrunnable.has(ts))
    fail(`${ts.key} is ${ts.state} and ${s.unrunnable.has(ts) ? 'in' : 'not in'} unrunnable`);
  if (ts.state === 'erred' && ts.exception === undefined) fail(`${ts.key} is erred without an exception`);
  if (ts.state === 'forgotten') fail(`${ts.key} is forgotten but still in the task table`);
}

function validateNeed(s: SchedulerCore, ts: SchedulerTask): void {
  const needed = s.needed(ts);
  if ((ACTIVE_STATES.has(ts.state) || ts.state === 'memory') && !needed)
    fail(`${ts.key} is ${ts.state} but nobody needs it`);
  if (ts.state === 'released' && needed) fail(`${ts.key} is released but needed`);
  if ((ts.state === 'released' || ts.state === 'erred') && !needed && ts.dependents.size === 0)
    fail(`${ts.key} is ${ts.state}, unneeded and without dependents: it should be forgotten`);
  if (ts.spec === undefined && ACTIVE_STATES.has(ts.state))
    fail(`${ts.key} has no run spec (scattered) but is ${ts.state}`);
}

function validateWorkers(s: SchedulerCore): void {
  for (const [address, ws] of s.workers) {
    if (ws.address !== address) fail(`worker ${ws.address} is filed under ${address}`);
    let bytes = 0;
    for (const ts of ws.hasWhat) {
      if (!ts.whoHas.has(ws)) fail(`${address} has ${ts.key}, whose whoHas lacks it`);
      bytes += ts.nbytes;
    }
    if (bytes !== ws.nbytes) fail(`${address} counts ${ws.nbytes} bytes but holds ${bytes}`);
    for (const ts of ws.processing) {
      if (ts.processingOn !== ws || ts.state !== 'processing')
        fail(`${address} processes ${ts.key}, which is ${ts.state} on ${ts.processingOn?.address ?? 'no worker'}`);
    }
  }
}

function validateQueues(s: SchedulerCore): void {
  for (const ts of s.queued.values()) if (ts.state !== 'queued') fail(`${ts.key} is in the queue but ${ts.state}`);
  for (const ts of s.unrunnable) if (ts.state !== 'no-worker') fail(`${ts.key} is unrunnable but ${ts.state}`);
  if (s.queued.size > 0) {
    const ms = rootTaskMs(s, s.queued.peek());
    for (const ws of s.workers.values())
      if (!isSaturated(s, ws, ms)) fail(`tasks are queued while ${ws.address} has a free slot`);
  }
  if (s.unrunnable.size > 0 && hasRunningWorker(s))
    fail(`${s.unrunnable.size} tasks are no-worker while a running worker is registered`);
  for (const [ts, { victim }] of s.steals) {
    if (ts.state !== 'processing' || ts.processingOn !== victim)
      fail(
        `a steal of ${ts.key} from ${victim.address} is pending, but the task is ${ts.state} on ${ts.processingOn?.address ?? 'no worker'}`,
      );
  }
}
