import { describe, expect, test } from 'vitest';
import { fn, info, lines, noArgs, setup, spec } from '../../helpers/scheduler-state.js';

describe('scheduler state: placement and completion', () => {
  test('a diamond runs to memory on the worker holding its data, then intermediates are freed', () => {
    const s = setup([info('w1'), info('w2')]);
    const out = s.updateGraph('c1', [spec('a'), spec('b', ['a']), spec('c', ['a']), spec('d', ['b', 'c'])], ['d']);
    expect(out).toEqual([
      {
        to: { kind: 'worker', id: 'w1' },
        msg: { op: 'compute-task', key: 'a', fn, args: noArgs, whoHas: {}, priority: [-0, 1, 0] },
      },
    ]);
    const afterA = s.taskFinished('w1', 'a', 100);
    expect(lines(afterA)).toEqual(['w1 compute-task b', 'w1 compute-task c']);
    expect(afterA[0]!.msg).toMatchObject({ whoHas: { a: ['w1'] }, priority: [-0, 1, 1] });
    expect(s.taskFinished('w1', 'b', 10)).toEqual([]);
    expect(lines(s.taskFinished('w1', 'c', 10))).toEqual(['w1 free-keys [a]', 'w1 compute-task d']);
    expect(s.tasks.get('a')!.state).toBe('released');
    const done = s.taskFinished('w1', 'd', 8);
    expect(done).toEqual([
      { to: { kind: 'client', id: 'c1' }, msg: { op: 'key-in-memory', key: 'd', nbytes: 8, workers: ['w1'] } },
      { to: { kind: 'worker', id: 'w1' }, msg: { op: 'free-keys', keys: ['b', 'c'] } },
    ]);
    expect(s.whoHas(['d', 'a'])).toEqual({ d: ['w1'], a: [] });
    expect(lines(s.releaseKeys('c1', ['d']))).toEqual(['w1 free-keys [d]']);
    expect(s.tasks.size).toBe(0);
  });

  test('a task goes where most bytes of its dependencies are', () => {
    const s = setup([info('w1'), info('w2')]);
    const out = s.updateGraph(
      'c1',
      [spec('x'), spec('y'), spec('big', ['y']), spec('small', ['x']), spec('z', ['small', 'big'])],
      ['z'],
    );
    // order(): z's first dependency (small, then x) comes first, so x has rank 0.
    expect(lines(out)).toEqual(['w1 compute-task x', 'w2 compute-task y']);
    expect(lines(s.taskFinished('w1', 'x', 5))).toEqual(['w1 compute-task small']);
    expect(lines(s.taskFinished('w1', 'small', 10))).toEqual(['w1 free-keys [x]']);
    expect(lines(s.taskFinished('w2', 'y', 5))).toEqual(['w2 compute-task big']);
    const last = s.taskFinished('w2', 'big', 1000);
    expect(lines(last)).toEqual(['w2 free-keys [y]', 'w2 compute-task z']);
    expect(last[1]!.msg).toMatchObject({ whoHas: { small: ['w1'], big: ['w2'] } });
  });

  test('equal bytes go to the least occupied worker', () => {
    const s = setup([info('w1'), info('w2')]);
    s.updateGraph('c1', [spec('a')], ['a']);
    s.taskFinished('w1', 'a', 50);
    expect(s.addKeys('w2', [{ key: 'a', nbytes: 50 }])).toEqual([]);
    expect(s.whoHas(['a'])).toEqual({ a: ['w1', 'w2'] });
    expect(lines(s.updateGraph('c1', [spec('b', ['a']), spec('c', ['a'])], ['b', 'c']))).toEqual([
      'w1 compute-task b',
      'w2 compute-task c',
    ]);
    const roots = setup([info('w1'), info('w2')]);
    expect(lines(roots.updateGraph('c1', [spec('r'), spec('k')], ['r', 'k']))).toEqual([
      'w1 compute-task r',
      'w2 compute-task k',
    ]);
  });

  test('a graph submitted before any worker waits in no-worker, then runs when one joins', () => {
    const s = setup([]);
    expect(s.updateGraph('c1', [spec('a'), spec('b', ['a'])], ['b'])).toEqual([]);
    expect(s.tasks.get('a')!.state).toBe('no-worker');
    expect(lines(s.addWorker(info('w1'), 0))).toEqual(['w1 compute-task a']);
  });
});

describe('scheduler state: root-task queuing', () => {
  test('1 worker × 1 thread gets ceil(1.1) = 2 of 10 roots; the rest are queued and sent in priority order', () => {
    const s = setup([info('w1')]);
    const roots = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const out = s.updateGraph(
      'c1',
      roots.map((k) => spec(k)),
      roots,
    );
    expect(lines(out)).toEqual(['w1 compute-task r0', 'w1 compute-task r1']);
    expect(s.queued.size).toBe(8);
    expect(roots.slice(2).every((k) => s.tasks.get(k)!.state === 'queued')).toBe(true);
    expect(lines(s.taskFinished('w1', 'r0', 1))).toEqual(['c1 key-in-memory r0', 'w1 compute-task r2']);
    expect(lines(s.taskFinished('w1', 'r1', 1))).toEqual(['c1 key-in-memory r1', 'w1 compute-task r3']);
  });

  test('a second worker drains the queue; a user priority jumps ahead', () => {
    const s = setup([info('w1')]);
    const roots = Array.from({ length: 6 }, (_, i) => `r${i}`);
    s.updateGraph(
      'c1',
      roots.map((k) => spec(k)),
      roots,
    );
    s.updateGraph('c1', [spec('urgent', [], { priority: 10 })], ['urgent']);
    expect(s.tasks.get('urgent')!.state).toBe('queued');
    expect(lines(s.addWorker(info('w2'), 0))).toEqual(['w2 compute-task urgent', 'w2 compute-task r2']);
  });

  test('workerSaturation Infinity sends every root at once', () => {
    const s = setup([info('w1')], { workerSaturation: Infinity });
    const roots = ['r0', 'r1', 'r2', 'r3'];
    expect(
      lines(
        s.updateGraph(
          'c1',
          roots.map((k) => spec(k)),
          roots,
        ),
      ),
    ).toHaveLength(4);
  });
});

describe('scheduler state: workers dying', () => {
  test('a task processing on a removed worker is rescheduled to the other worker', () => {
    const s = setup([info('w1'), info('w2')]);
    expect(lines(s.updateGraph('c1', [spec('t')], ['t']))).toEqual(['w1 compute-task t']);
    expect(lines(s.removeWorker('w1', 'connection closed'))).toEqual(['w2 compute-task t']);
    expect(s.tasks.get('t')!.suspicious).toBe(1);
    expect(s.workers.has('w1')).toBe(false);
  });

  test('a task whose workers die 4 times errs with KilledWorker naming the task and the last worker', () => {
    const s = setup([info('w0')]);
    s.updateGraph('c1', [spec('t')], ['t']);
    for (let i = 1; i <= 3; i++) {
      expect(s.removeWorker(`w${i - 1}`, 'process exited')).toEqual([]);
      expect(lines(s.addWorker(info(`w${i}`), 0))).toEqual([`w${i} compute-task t`]);
    }
    const out = s.removeWorker('w3', 'process exited with signal SIGKILL');
    expect(out).toHaveLength(1);
    const msg = out[0]!.msg;
    expect(out[0]!.to).toEqual({ kind: 'client', id: 'c1' });
    expect(msg.op).toBe('task-erred');
    if (msg.op !== 'task-erred') return;
    expect(msg.error).toMatchObject({
      name: 'KilledWorker',
      code: 'DASK_ERR_KILLED_WORKER',
      key: 't',
      props: { worker: 'w3' },
    });
    expect(msg.error.message).toContain('task t was running on w3, which died');
    expect(msg.error.message).toContain('SIGKILL');
    expect(s.tasks.get('t')!.state).toBe('erred');
  });

  test('allowedFailures 0 errs at the first death', () => {
    const s = setup([info('w1'), info('w2')], { allowedFailures: 0 });
    s.updateGraph('c1', [spec('t')], ['t']);
    expect(lines(s.removeWorker('w1', 'gone'))).toEqual(['c1 task-erred t']);
  });

  test('a result lost with its only worker is recomputed from lineage while a dependent needs it', () => {
    const s = setup([info('w1'), info('w2')]);
    s.updateGraph('c1', [spec('a'), spec('b', ['a'])], ['b']);
    expect(lines(s.taskFinished('w1', 'a', 100))).toEqual(['w1 compute-task b']);
    expect(lines(s.removeWorker('w1', 'gone'))).toEqual(['w2 compute-task a']);
    expect(s.tasks.get('b')!.state).toBe('waiting');
    expect(lines(s.taskFinished('w2', 'a', 100))).toEqual(['w2 compute-task b']);
    expect(lines(s.taskFinished('w2', 'b', 1))).toEqual(['c1 key-in-memory b', 'w2 free-keys [a]']);
  });

  test('a wanted result lost with its worker: the client is told lost-data and it is recomputed', () => {
    const s = setup([info('w1'), info('w2')]);
    s.updateGraph('c1', [spec('a'), spec('b', ['a'])], ['b']);
    s.taskFinished('w1', 'a', 1);
    s.taskFinished('w1', 'b', 1);
    expect(lines(s.removeWorker('w1', 'gone'))).toEqual(['c1 lost-data b', 'w2 compute-task a']);
    expect(lines(s.taskFinished('w2', 'a', 1))).toEqual(['w2 compute-task b']);
  });

  test('scattered data lost with its worker cannot be recomputed: it errs', () => {
    const s = setup([info('w1'), info('w2')]);
    expect(lines(s.scatter('c1', [{ key: 'x', nbytes: 8 }], 'w1'))).toEqual(['c1 key-in-memory x']);
    s.updateGraph('c1', [spec('y', ['x'])], ['y']);
    const out = s.removeWorker('w1', 'gone');
    expect(lines(out)).toEqual(['c1 lost-data x', 'c1 task-erred x', 'c1 task-erred y']);
    expect(out[1]!.msg).toMatchObject({ error: { name: 'LostDataError', key: 'x' } });
    expect(out[2]!.msg).toMatchObject({ key: 'y', error: { name: 'LostDataError', key: 'x' } });
  });

  test('heartbeats keep workers; checkWorkerTTL names the silent ones', () => {
    const s = setup([info('w1'), info('w2')]);
    s.updateGraph('c1', [spec('t'), spec('u')], ['t', 'u']);
    expect(s.heartbeat('w1', { executing: 1, memory: 0, ready: 0, inFlight: 0 }, 5000)).toEqual([]);
    expect(s.checkWorkerTTL(4000, 5000)).toEqual([]);
    const silent = s.checkWorkerTTL(8000, 5000);
    expect(silent).toEqual(['w2']);
    expect(lines(s.removeWorker(silent[0]!, 'no heartbeat for 8 s'))).toEqual(['w1 compute-task u']);
    expect(s.workers.get('w1')!.metrics.executing).toBe(1);
  });

  test('a worker registering again at the same address replaces the old registration', () => {
    const s = setup([info('w1')]);
    s.updateGraph('c1', [spec('t')], ['t']);
    expect(lines(s.addWorker(info('w1', 2), 10))).toEqual(['w1 compute-task t']);
    expect(s.workers.get('w1')!.nthreads).toBe(2);
  });
});

describe('scheduler state: errors and retries', () => {
  const boom = { name: 'RangeError', message: 'boom', stack: 'RangeError: boom\n    at f', key: 'a' };

  test('a task with retries runs again before it errs', () => {
    const s = setup([info('w1')]);
    s.updateGraph('c1', [spec('a', [], { retries: 1 })], ['a']);
    expect(lines(s.taskErred('w1', 'a', boom))).toEqual(['w1 cancel-compute a', 'w1 compute-task a']);
    const out = s.taskErred('w1', 'a', boom);
    expect(out).toEqual([{ to: { kind: 'client', id: 'c1' }, msg: { op: 'task-erred', key: 'a', error: boom } }]);
    expect(lines(s.releaseKeys('c1', ['a']))).toEqual(['w1 free-keys [a]']);
    expect(s.tasks.size).toBe(0);
  });

  test('dependents of an erred task err with its error; a later graph using it is told at once', () => {
    const s = setup([info('w1')]);
    s.updateGraph('c1', [spec('a'), spec('b', ['a']), spec('c', ['b'])], ['c']);
    const out = s.taskErred('w1', 'a', boom);
    expect(out).toEqual([{ to: { kind: 'client', id: 'c1' }, msg: { op: 'task-erred', key: 'c', error: boom } }]);
    expect(['a', 'b', 'c'].map((k) => s.tasks.get(k)!.state)).toEqual(['erred', 'erred', 'erred']);
    expect(s.updateGraph('c2', [spec('d', ['a'])], ['d', 'a'])).toEqual([
      { to: { kind: 'client', id: 'c2' }, msg: { op: 'task-erred', key: 'a', error: boom } },
      { to: { kind: 'client', id: 'c2' }, msg: { op: 'task-erred', key: 'd', error: boom } },
    ]);
  });

  test('a cycle or an undefined dependency is a GraphError for every wanted key; nothing is added', () => {
    const s = setup([info('w1')]);
    const cycle = s.updateGraph('c1', [spec('a', ['b']), spec('b', ['a'])], ['a']);
    expect(cycle).toHaveLength(1);
    expect(cycle[0]!.msg).toMatchObject({
      op: 'task-erred',
      key: 'a',
      error: { name: 'GraphError', code: 'DASK_ERR_GRAPH' },
    });
    const missing = s.updateGraph('c1', [spec('a', ['nowhere'])], ['a']);
    expect(missing[0]!.msg).toMatchObject({
      op: 'task-erred',
      key: 'a',
      error: { name: 'GraphError', key: 'nowhere' },
    });
    expect(lines(s.updateGraph('c1', [], ['unknown']))).toEqual(['c1 task-erred unknown']);
    expect(s.tasks.size).toBe(0);
  });

  test('results from a worker the task is not processing on are freed there', () => {
    const s = setup([info('w1'), info('w2')]);
    s.updateGraph('c1', [spec('a')], ['a']);
    expect(lines(s.taskFinished('w2', 'zzz', 1))).toEqual(['w2 free-keys [zzz]']);
    expect(s.taskFinished('unknown-worker', 'a', 1)).toEqual([]);
    expect(s.taskErred('w2', 'a', boom)).toEqual([]);
  });

  test('a paused worker is given nothing new; tasks wait for a running worker and go once it resumes', () => {
    const s = setup([info('w1'), info('w2')]);
    expect(s.workerStatus('w1', 'paused')).toEqual([]);
    expect(lines(s.updateGraph('c1', [spec('r1'), spec('r2'), spec('r3')], ['r1', 'r2', 'r3']))).toEqual([
      'w2 compute-task r1',
      'w2 compute-task r2',
    ]);
    expect(s.tasks.get('r3')!.state).toBe('queued');
    expect(lines(s.workerStatus('w1', 'running'))).toEqual(['w1 compute-task r3']);
    s.workerStatus('w1', 'paused');
    s.workerStatus('w2', 'paused');
    expect(s.updateGraph('c1', [spec('t', ['r1'])], ['t'])).toEqual([]);
    s.taskFinished('w2', 'r1', 8);
    expect(s.tasks.get('t')!.state).toBe('no-worker');
    expect(lines(s.handleWorkerMessage('w2', { op: 'worker-status', status: 'running' }, 1))).toEqual([
      'w2 compute-task t',
    ]);
    s.validate();
  });

  test('root tasks of a prefix known to be quick are sent several at a time, to cover a round trip', () => {
    const s = setup([info('w1')]);
    const keys = Array.from({ length: 50 }, (_, i) => `r-${i}`);
    const first = lines(
      s.updateGraph(
        'c1',
        keys.map((k) => spec(k)),
        keys,
      ),
    );
    expect(first).toHaveLength(2); // ceil(1 thread x 1.1): nothing is known about r yet
    // r takes 0.1 ms: 2 ms of work per thread is 20 tasks in flight.
    const more = s.handleWorkerMessage(
      'w1',
      { op: 'task-finished', key: 'r-0', nbytes: 8, timing: { start: 0, stop: 0.1, thread: 0 } },
      1,
    );
    expect(more.filter((o) => o.msg.op === 'compute-task')).toHaveLength(19);
    expect(s.workers.get('w1')!.processing.size).toBe(20);
    s.validate();
  });
});
