// Shared set-up for the scheduler state-machine tests: task specs, worker infos, a validated
// scheduler with two clients, and a one-line rendering of outgoing messages to compare against.
import type { EncodedValue, FnRef, TaskSpec, WorkerInfo } from '../../scheduler/distributed/protocol.js';
import { SchedulerState, type Outgoing, type SchedulerConfig } from '../../scheduler/distributed/scheduler-state.js';

export const fn: FnRef = { kind: 'source', source: '(x) => x', name: '' };
export const noArgs: EncodedValue = { header: '[]', frames: [] };

export function spec(key: string, deps: string[] = [], extra: Partial<TaskSpec> = {}): TaskSpec {
  return { key, fn, args: noArgs, deps, ...extra };
}

export function info(address: string, nthreads = 1): WorkerInfo {
  return { address, name: address, nthreads, memoryLimit: 0, pid: 1 };
}

/** A scheduler with validation on, clients c1 and c2, and the given workers. */
export function setup(workers: WorkerInfo[], config: SchedulerConfig = {}): SchedulerState {
  const s = new SchedulerState({ validate: true, ...config });
  s.addClient('c1');
  s.addClient('c2');
  for (const w of workers) s.addWorker(w, 0);
  return s;
}

/** One line per message: "<to> <op> <key or keys>". */
export function lines(out: readonly Outgoing[]): string[] {
  return out.map((o) => {
    const m = o.msg;
    const what = 'key' in m ? m.key : 'keys' in m ? `[${m.keys.join(',')}]` : '';
    return `${o.to.id} ${m.op} ${what}`.trimEnd();
  });
}
