import { describe, expect, test } from 'vitest';
import type { ComputeTask, FnRef, Priority, WhoHas } from '../../../scheduler/distributed/protocol.js';
import { WorkerState, type Instruction, type WorkerStateConfig } from '../../../scheduler/distributed/worker-state.js';

const fn: FnRef = { kind: 'source', source: '(...xs) => xs.length', name: '' };

function compute(key: string, whoHas: WhoHas = {}, priority: Priority = [0, 1, 0]): ComputeTask {
  return { op: 'compute-task', key, fn, args: { header: '[]', frames: [] }, whoHas, priority };
}

function make(nthreads = 1, extra: Partial<WorkerStateConfig> = {}): WorkerState {
  return new WorkerState({ address: 'me', nthreads, validate: true, ...extra });
}

/** One line per instruction. */
function brief(out: readonly Instruction[]): string[] {
  return out.map((i) => {
    switch (i.kind) {
      case 'execute':
        return `execute ${i.key}`;
      case 'gather':
        return `gather ${i.worker} [${i.keys.join(',')}]`;
      case 'drop-data':
        return `drop [${i.keys.join(',')}]`;
      case 'send-scheduler': {
        const m = i.msg;
        if (m.op === 'missing-data') return `scheduler missing-data ${m.key} from ${m.errantWorker}`;
        if (m.op === 'add-keys') return `scheduler add-keys [${m.keys.map((k) => k.key).join(',')}]`;
        if (m.op === 'steal-response') return `scheduler steal-response ${m.key} ${m.accepted}`;
        return `scheduler ${m.op} ${'key' in m ? m.key : ''}`.trimEnd();
      }
    }
  });
}

describe('worker state: dependencies from peers', () => {
  test('dependencies are gathered from the peer holding most of them, then the task runs', () => {
    const w = make();
    expect(brief(w.handle(compute('t', { x: ['p1', 'p2'], y: ['p2'] })))).toEqual(['gather p2 [x,y]']);
    expect(w.tasks.get('t')!.state).toBe('waiting');
    const out = w.gatherDone(
      'p2',
      ['x', 'y'],
      [
        { key: 'x', nbytes: 8 },
        { key: 'y', nbytes: 16 },
      ],
    );
    expect(brief(out)).toEqual(['execute t', 'scheduler add-keys [x,y]']);
    expect(out[0]).toMatchObject({
      kind: 'execute',
      key: 't',
      run: { fn, args: { header: '[]', frames: [] }, frames: [] },
    });
    expect(w.executeDone('t', 4, 'number')).toEqual([
      { kind: 'send-scheduler', msg: { op: 'task-finished', key: 't', nbytes: 4, typeName: 'number' } },
    ]);
    expect(w.metrics()).toEqual({ executing: 0, memory: 28, ready: 0, inFlight: 0 });
    expect(brief(w.handle({ op: 'free-keys', keys: ['x', 'y'] }))).toEqual(['drop [x,y]']);
    expect([...w.tasks.keys()]).toEqual(['t']);
    expect(w.hasValue('t')).toBe(true);
  });

  test('a key the peer lacks is reported missing-data and asked of another peer; with none left it waits for the scheduler', () => {
    const w = make();
    w.handle(compute('t', { x: ['p1', 'p2'], y: ['p2'] }));
    const out = w.gatherDone('p2', ['x', 'y'], [{ key: 'y', nbytes: 1 }]);
    expect(brief(out)).toEqual(['scheduler missing-data x from p2', 'gather p1 [x]', 'scheduler add-keys [y]']);
    expect(brief(w.gatherDone('p1', ['x'], []))).toEqual(['scheduler missing-data x from p1']);
    expect(w.tasks.get('x')!.state).toBe('missing');
    // The scheduler sends the task again with the current holders.
    expect(brief(w.handle(compute('t', { x: ['p3'], y: ['me', 'p2'] })))).toEqual(['gather p3 [x]']);
    expect(brief(w.gatherDone('p3', ['x'], [{ key: 'x', nbytes: 1 }]))).toEqual([
      'execute t',
      'scheduler add-keys [x]',
    ]);
  });

  test('an unreachable peer: every key expected from it is reported, the rest come from elsewhere', () => {
    const w = make();
    w.handle(compute('t', { x: ['p1'], y: ['p1', 'p2'] }));
    const out = w.gatherFailed('p1', ['x', 'y']);
    expect(brief(out)).toEqual([
      'scheduler missing-data x from p1',
      'scheduler missing-data y from p1',
      'gather p2 [y]',
    ]);
    expect(w.tasks.get('x')!.state).toBe('missing');
  });

  test('a dependency the scheduler believes is here but is not is reported missing from this worker', () => {
    const w = make();
    expect(brief(w.handle(compute('t', { x: ['me', 'p1'] })))).toEqual([
      'scheduler missing-data x from me',
      'gather p1 [x]',
    ]);
  });

  test('at most gathersPerPeer gathers per peer, gatherBatch keys each', () => {
    const w = make(1, { gatherBatch: 2 });
    const deps = ['d0', 'd1', 'd2', 'd3', 'd4'];
    expect(brief(w.handle(compute('t', Object.fromEntries(deps.map((d) => [d, ['p1']])))))).toEqual([
      'gather p1 [d0,d1]',
    ]);
    expect(
      brief(
        w.gatherDone(
          'p1',
          ['d0', 'd1'],
          [
            { key: 'd0', nbytes: 1 },
            { key: 'd1', nbytes: 1 },
          ],
        ),
      ),
    ).toEqual(['gather p1 [d2,d3]', 'scheduler add-keys [d0,d1]']);
    expect(w.metrics().inFlight).toBe(2);
  });

  test('gathersTotal caps gathers across peers', () => {
    const w = make(1, { gathersTotal: 1 });
    expect(brief(w.handle(compute('t', { a: ['p1'], b: ['p2'] })))).toEqual(['gather p1 [a]']);
    expect(brief(w.gatherDone('p1', ['a'], [{ key: 'a', nbytes: 1 }]))).toEqual([
      'gather p2 [b]',
      'scheduler add-keys [a]',
    ]);
  });

  test('data arriving for a key no longer wanted is dropped', () => {
    const w = make();
    w.handle(compute('t', { x: ['p1'] }));
    expect(brief(w.handle({ op: 'cancel-compute', key: 't' }))).toEqual([]);
    expect(w.tasks.get('x')!.state).toBe('cancelled');
    expect(brief(w.gatherDone('p1', ['x'], [{ key: 'x', nbytes: 1 }]))).toEqual(['drop [x]']);
    expect(w.tasks.size).toBe(0);
    expect(brief(w.gatherDone('p9', ['zzz'], [{ key: 'zzz', nbytes: 1 }]))).toEqual(['drop [zzz]']);
  });

  test('asked to compute a key while gathering it: computed if the gather fails', () => {
    const w = make(2);
    w.handle(compute('t', { x: ['p1'] }));
    expect(brief(w.handle(compute('x', { base: ['p2'] })))).toEqual([]);
    expect(brief(w.gatherDone('p1', ['x'], []))).toEqual(['scheduler missing-data x from p1', 'gather p2 [base]']);
    expect(brief(w.gatherDone('p2', ['base'], [{ key: 'base', nbytes: 1 }]))).toEqual([
      'execute x',
      'scheduler add-keys [base]',
    ]);
    expect(brief(w.executeDone('x', 2))).toEqual(['scheduler task-finished x', 'execute t']);
  });
});

describe('worker state: execution', () => {
  test('one thread runs ready tasks one at a time, most urgent first', () => {
    const w = make(1);
    expect(brief(w.handle(compute('t1', {}, [0, 1, 5])))).toEqual(['execute t1']);
    expect(w.handle(compute('t2', {}, [0, 1, 3]))).toEqual([]);
    expect(w.handle(compute('t3', {}, [0, 1, 1]))).toEqual([]);
    expect(w.handle(compute('t4', {}, [0, 1, 2]))).toEqual([]);
    expect(w.metrics()).toEqual({ executing: 1, memory: 0, ready: 3, inFlight: 0 });
    expect(brief(w.executeDone('t1', 1))).toEqual(['scheduler task-finished t1', 'execute t3']);
    expect(brief(w.executeDone('t3', 1))).toEqual(['scheduler task-finished t3', 'execute t4']);
    expect(brief(w.executeDone('t4', 1))).toEqual(['scheduler task-finished t4', 'execute t2']);
  });

  test('two threads run two tasks at once; a new priority re-files a ready task', () => {
    const w = make(2);
    w.handle(compute('a', {}, [0, 1, 0]));
    w.handle(compute('b', {}, [0, 1, 1]));
    w.handle(compute('c', {}, [0, 1, 2]));
    w.handle(compute('d', {}, [0, 1, 3]));
    expect(w.metrics().executing).toBe(2);
    w.handle(compute('d', {}, [-1, 0, 0]));
    expect(brief(w.executeDone('a', 1))).toEqual(['scheduler task-finished a', 'execute d']);
  });

  test('a failing task reports task-erred; sent again it runs again; freed it is forgotten', () => {
    const w = make();
    w.handle(compute('t'));
    const error = { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined', key: 't' };
    expect(w.executeFailed('t', error)).toEqual([
      { kind: 'send-scheduler', msg: { op: 'task-erred', key: 't', error } },
    ]);
    expect(w.tasks.get('t')!.state).toBe('error');
    expect(brief(w.handle(compute('t')))).toEqual(['execute t']);
    w.executeFailed('t', error);
    expect(w.handle({ op: 'free-keys', keys: ['t'] })).toEqual([]);
    expect(w.tasks.size).toBe(0);
  });

  test('cancel-compute of an executing task drops its result; the thread then takes the next task', () => {
    const w = make(1);
    w.handle(compute('t1'));
    w.handle(compute('t2'));
    expect(w.handle({ op: 'cancel-compute', key: 't1' })).toEqual([]);
    expect(w.tasks.get('t1')!.state).toBe('cancelled');
    expect(brief(w.executeDone('t1', 1))).toEqual(['execute t2', 'drop [t1]']);
    expect(w.tasks.has('t1')).toBe(false);
  });

  test('a cancelled executing task sent again resumes and reports its result', () => {
    const w = make(1);
    w.handle(compute('t'));
    w.handle({ op: 'cancel-compute', key: 't' });
    expect(w.handle(compute('t'))).toEqual([]);
    expect(brief(w.executeDone('t', 3))).toEqual(['scheduler task-finished t']);
  });

  test('a task already in memory is reported at once when sent again', () => {
    const w = make();
    w.handle(compute('t'));
    w.executeDone('t', 5);
    expect(brief(w.handle(compute('t')))).toEqual(['scheduler task-finished t']);
  });
});

describe('worker state: steal requests and freeing', () => {
  test('a steal is accepted for a task not yet started and refused for a running one', () => {
    const w = make(1);
    w.handle(compute('t1'));
    w.handle(compute('t2'));
    expect(brief(w.handle({ op: 'steal-request', key: 't2' }))).toEqual(['scheduler steal-response t2 true']);
    expect(w.tasks.has('t2')).toBe(false);
    expect(brief(w.handle({ op: 'steal-request', key: 't1' }))).toEqual(['scheduler steal-response t1 false']);
    expect(brief(w.handle({ op: 'steal-request', key: 'unknown' }))).toEqual([
      'scheduler steal-response unknown false',
    ]);
  });

  test('a stolen task lets go of dependencies nobody else needs', () => {
    const w = make(1);
    w.handle(compute('busy'));
    w.handle(compute('t', { x: ['p1'] }));
    expect(brief(w.handle({ op: 'steal-request', key: 't' }))).toEqual(['scheduler steal-response t true']);
    expect(w.tasks.get('x')!.state).toBe('cancelled');
  });

  test('freed data still needed by a local task is kept until that task starts', () => {
    const w = make(1);
    w.handle(compute('t1'));
    w.handle(compute('t2', { a: ['p1'] }));
    w.gatherDone('p1', ['a'], [{ key: 'a', nbytes: 10 }]);
    expect(w.tasks.get('t2')!.state).toBe('ready');
    expect(w.handle({ op: 'free-keys', keys: ['a'] })).toEqual([]);
    expect(w.hasValue('a')).toBe(true);
    expect(brief(w.executeDone('t1', 1))).toEqual(['scheduler task-finished t1', 'execute t2', 'drop [a]']);
    expect(w.metrics().memory).toBe(1);
  });

  test('put-data stores values the scheduler learns of from the client', () => {
    const w = make();
    expect(w.putData([{ key: 'x', nbytes: 80, typeName: 'Float64Array' }])).toEqual([]);
    expect(w.hasValue('x')).toBe(true);
    expect(brief(w.handle(compute('t', { x: ['me'] })))).toEqual(['execute t']);
    expect(brief(w.handle({ op: 'free-keys', keys: ['x'] }))).toEqual(['drop [x]']);
  });
});
