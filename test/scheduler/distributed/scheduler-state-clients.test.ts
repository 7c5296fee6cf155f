import { describe, expect, test } from 'vitest';
import { SchedulerState } from '../../../scheduler/distributed/scheduler-state.js';
import { info, lines, setup, spec } from '../../helpers/scheduler-state.js';

describe('scheduler state: clients', () => {
  test('cancel cascades to dependents: the client is told key-cancelled, compute is cancelled, all is forgotten', () => {
    const s = setup([info('w1')]);
    s.updateGraph('c1', [spec('a'), spec('b', ['a']), spec('c', ['b'])], ['a', 'c']);
    expect(lines(s.cancel('c1', ['a']))).toEqual(['c1 key-cancelled a', 'c1 key-cancelled c', 'w1 cancel-compute a']);
    expect(s.tasks.size).toBe(0);
  });

  test('cancel leaves what another client still wants running; force cancels it for everyone', () => {
    const s = setup([info('w1')]);
    s.updateGraph('c1', [spec('a')], ['a']);
    s.updateGraph('c2', [spec('b', ['a'])], ['b']);
    expect(lines(s.cancel('c1', ['a']))).toEqual(['c1 key-cancelled a']);
    expect(s.tasks.get('a')!.state).toBe('processing');
    expect(lines(s.cancel('c1', ['a'], true))).toEqual(['c2 key-cancelled b', 'w1 cancel-compute a']);
    expect(s.tasks.size).toBe(0);
  });

  test('removing a client releases its keys: results are freed on the workers and tasks forgotten', () => {
    const s = setup([info('w1'), info('w2')]);
    s.updateGraph('c1', [spec('x'), spec('y', ['x'])], ['y']);
    s.updateGraph('c2', [spec('k')], ['k']);
    s.taskFinished('w1', 'x', 1);
    s.taskFinished('w1', 'y', 1);
    expect(lines(s.removeClient('c1'))).toEqual(['w1 free-keys [y]']);
    expect([...s.tasks.keys()]).toEqual(['k']);
    expect(s.clients.has('c1')).toBe(false);
    expect(() => s.updateGraph('c1', [], [])).toThrow(/unknown client c1/);
  });

  test('a key wanted by two clients stays until both release it', () => {
    const s = setup([info('w1')]);
    s.updateGraph('c1', [spec('a')], ['a']);
    expect(lines(s.updateGraph('c2', [spec('a')], ['a']))).toEqual([]);
    expect(lines(s.taskFinished('w1', 'a', 3))).toEqual(['c1 key-in-memory a', 'c2 key-in-memory a']);
    expect(lines(s.updateGraph('c1', [spec('a')], ['a']))).toEqual(['c1 key-in-memory a']);
    expect(s.releaseKeys('c1', ['a'])).toEqual([]);
    expect(lines(s.releaseKeys('c2', ['a']))).toEqual(['w1 free-keys [a]']);
  });

  test('scatter registers data on a worker; tasks use it like computed data', () => {
    const s = setup([info('w1'), info('w2')]);
    expect(s.scatter('c1', [{ key: 'data', nbytes: 800, typeName: 'Float64Array' }], 'w2')).toEqual([
      {
        to: { kind: 'client', id: 'c1' },
        msg: { op: 'key-in-memory', key: 'data', nbytes: 800, typeName: 'Float64Array', workers: ['w2'] },
      },
    ]);
    expect(lines(s.updateGraph('c1', [spec('sum', ['data'])], ['sum']))).toEqual(['w2 compute-task sum']);
    expect(lines(s.scatter('c1', [{ key: 'z', nbytes: 1 }], 'nowhere'))).toEqual(['c1 task-erred z']);
  });

  test('args frames travel with each compute-task, renumbered from 0', () => {
    const s = setup([info('w1')]);
    const f0 = new Uint8Array([1]);
    const f1 = new Uint8Array([2, 3]);
    const out = s.updateGraph(
      'c1',
      [spec('t', [], { args: { header: '[{"$":"t","k":"uint8","f":0}]', frames: [1] } })],
      ['t'],
      [f0, f1],
    );
    expect(out[0]).toMatchObject({ msg: { args: { frames: [0] } }, frames: [f1] });
    expect(() => s.updateGraph('c1', [spec('u', [], { args: { header: '[]', frames: [5] } })], ['u'], [])).toThrow(
      /checkFrameRefs/,
    );
  });
});

describe('scheduler state: missing data', () => {
  /** a on w1 (10 bytes), z on w2 (1000 bytes): b(a, z) runs on w2 and fetches a from w1. */
  function fetching(extraHolder: boolean): SchedulerState {
    const s = setup([info('w1'), info('w2'), info('w3')]);
    s.updateGraph('c1', [spec('a'), spec('z'), spec('b', ['a', 'z'])], ['b']);
    s.taskFinished('w1', 'a', 10);
    if (extraHolder) s.addKeys('w3', [{ key: 'a', nbytes: 10 }]);
    const out = s.taskFinished('w2', 'z', 1000);
    expect(lines(out)).toEqual(['w2 compute-task b']);
    expect(out[0]!.msg).toMatchObject({
      whoHas: extraHolder ? { a: ['w1', 'w3'], z: ['w2'] } : { a: ['w1'], z: ['w2'] },
    });
    return s;
  }

  test('a replica reported missing is dropped and the fetch is sent again with the other holders', () => {
    const s = fetching(true);
    const out = s.missingData('w2', 'a', 'w1');
    expect(lines(out)).toEqual(['w2 compute-task b', 'w1 free-keys [a]']);
    expect(out[0]!.msg).toMatchObject({ whoHas: { a: ['w3'], z: ['w2'] } });
  });

  test('the last replica reported missing: the dependent waits and the data is recomputed', () => {
    const s = fetching(false);
    expect(lines(s.missingData('w2', 'a', 'w1'))).toEqual([
      'w2 cancel-compute b',
      'w1 free-keys [a]',
      'w1 compute-task a',
    ]);
    expect(s.tasks.get('b')!.state).toBe('waiting');
    expect(lines(s.taskFinished('w1', 'a', 10))).toEqual(['w2 compute-task b']);
  });

  test('a worker reporting itself as the errant holder loses its replica', () => {
    const s = fetching(true);
    s.addKeys('w2', [{ key: 'a', nbytes: 10 }]);
    const out = s.missingData('w2', 'a', 'w2');
    expect(lines(out)).toEqual(['w2 free-keys [a]', 'w2 compute-task b']);
    expect(out[1]!.msg).toMatchObject({ whoHas: { a: ['w1', 'w3'] } });
  });

  test('a worker dropping data on its own (release-worker-data) counts as losing it', () => {
    const s = fetching(false);
    expect(lines(s.releaseWorkerData('w1', ['a']))).toEqual(['w2 cancel-compute b', 'w1 compute-task a']);
  });
});

describe('scheduler state: work stealing', () => {
  /** a on w1, then b1..b4 (all depending on a) pile up on w1 by locality; w2 idles. */
  function piled(): SchedulerState {
    const s = setup([info('w1'), info('w2')]);
    s.updateGraph('c1', [spec('a'), ...['b1', 'b2', 'b3', 'b4'].map((k) => spec(k, ['a']))], ['b1', 'b2', 'b3', 'b4']);
    expect(lines(s.taskFinished('w1', 'a', 100))).toEqual([
      'w1 compute-task b1',
      'w1 compute-task b2',
      'w1 compute-task b3',
      'w1 compute-task b4',
    ]);
    return s;
  }

  test('balance asks the saturated worker for its least urgent task; an accepted steal moves it to the idle worker', () => {
    const s = piled();
    expect(lines(s.balance())).toEqual(['w1 steal-request b4']);
    expect(s.balance()).toEqual([]);
    const out = s.stealResponse('w1', 'b4', true);
    expect(lines(out)).toEqual(['w2 compute-task b4']);
    expect(out[0]!.msg).toMatchObject({ whoHas: { a: ['w1'] } });
    expect(s.tasks.get('b4')!.processingOn!.address).toBe('w2');
  });

  test('a refused steal leaves the task where it is; a finished one ignores the late answer', () => {
    const s = piled();
    s.balance();
    expect(s.stealResponse('w1', 'b4', false)).toEqual([]);
    expect(s.tasks.get('b4')!.processingOn!.address).toBe('w1');
    expect(lines(s.balance())).toEqual(['w1 steal-request b4']);
    s.taskFinished('w1', 'b4', 1);
    expect(s.stealResponse('w1', 'b4', true)).toEqual([]);
    expect(s.tasks.get('b4')!.state).toBe('memory');
  });

  test('a thief that died before the answer: the task is rescheduled', () => {
    const s = piled();
    s.balance();
    s.removeWorker('w2', 'gone');
    expect(lines(s.stealResponse('w1', 'b4', true))).toEqual(['w1 cancel-compute b4', 'w1 compute-task b4']);
  });
});

describe('scheduler state: message dispatch', () => {
  test('client and worker messages reach the matching stimulus', () => {
    const s = new SchedulerState({ validate: true });
    s.addClient('c1');
    expect(s.handleWorkerMessage('w1', { op: 'register-worker', ...info('w1', 2) }, 0)).toEqual([]);
    expect(s.handleClientMessage('c1', { op: 'get-workers' })).toEqual([
      { to: { kind: 'client', id: 'c1' }, msg: { op: 'workers', workers: [info('w1', 2)] } },
    ]);
    expect(lines(s.handleClientMessage('c1', { op: 'update-graph', tasks: [spec('t')], keys: ['t'] }))).toEqual([
      'w1 compute-task t',
    ]);
    expect(
      s.handleWorkerMessage('w1', { op: 'heartbeat', metrics: { executing: 1, memory: 0, ready: 0, inFlight: 0 } }, 5),
    ).toEqual([]);
    expect(
      lines(s.handleWorkerMessage('w1', { op: 'task-finished', key: 't', nbytes: 4, typeName: 'number' }, 6)),
    ).toEqual(['c1 key-in-memory t']);
    expect(s.handleClientMessage('c1', { op: 'who-has', keys: ['t'] })).toEqual([
      { to: { kind: 'client', id: 'c1' }, msg: { op: 'who-has-reply', whoHas: { t: ['w1'] } } },
    ]);
    expect(s.handleClientMessage('c1', { op: 'heartbeat-client' })).toEqual([]);
    expect(lines(s.handleClientMessage('c1', { op: 'close-client' }))).toEqual(['w1 free-keys [t]']);
    expect(s.tasks.size).toBe(0);
  });

  test('the transition log records each move', () => {
    const s = new SchedulerState({ validate: true, logLength: 3 });
    s.addClient('c1');
    s.updateGraph('c1', [spec('t')], ['t']);
    expect(s.log).toEqual([
      { key: 't', from: 'released', to: 'waiting' },
      { key: 't', from: 'waiting', to: 'no-worker' },
    ]);
    s.addWorker(info('w1'), 0);
    expect(s.log.map((e) => `${e.from}->${e.to}`)).toEqual([
      'released->waiting',
      'waiting->no-worker',
      'no-worker->processing',
    ]);
    s.taskFinished('w1', 't', 1);
    expect(s.log).toHaveLength(3);
  });
});
