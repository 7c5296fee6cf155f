import { describe, expect, test } from 'vitest';
import {
  checkFrameRefs,
  checkFrameSizes,
  checkHandshake,
  FRAME_LIMITS,
  frameLimits,
  HANDSHAKE_FRAME_LIMITS,
  OPS,
  tokensMatch,
  validateMessage,
  type Message,
  type MessageOf,
  type Op,
} from '../../../scheduler/distributed/protocol.js';

const fn = { kind: 'module', module: 'file:///app/kernels.js', export: 'inc' } as const;
const args = { header: '[1,{"$":"t","k":"float64","f":0}]', frames: [0] };
const error = {
  name: 'RangeError',
  message: 'bad',
  stack: 'RangeError: bad\n    at f',
  code: 'ERR_X',
  key: 'a',
  props: { attempt: 2, where: { file: 'x.js', lines: [1, 2] } },
  cause: { name: 'Error', message: 'root', stack: '' },
};
const metrics = { executing: 1, memory: 1024, ready: 2, inFlight: 0 };
const worker = { address: 'ws://127.0.0.1:40001', name: 'w1', nthreads: 4, memoryLimit: 2e9, pid: 1234 };

/** A good example of every op (the mapped type makes a missing op a compile error). */
const EXAMPLES: { [O in Op]: MessageOf<O> } = {
  hello: { op: 'hello', role: 'client', token: 'secret', version: '0.1.0', nodeMajor: 20, id: 'client-1' },
  welcome: { op: 'welcome', version: '0.1.0', nodeMajor: 20, id: 'scheduler' },
  refused: { op: 'refused', reason: 'wrong token' },
  'update-graph': {
    op: 'update-graph',
    tasks: [
      { key: 'a', fn, args, deps: [] },
      {
        key: 'b',
        fn: { kind: 'source', source: '(x) => x + 1', name: 'inc' },
        args: { header: '[{"$":"c","c":"task-ref","h":"a","f":[]}]', frames: [] },
        deps: ['a'],
        priority: 1,
        retries: 2,
      },
    ],
    keys: ['b'],
  },
  'release-keys': { op: 'release-keys', keys: ['a', 'b'] },
  'cancel-keys': { op: 'cancel-keys', keys: ['a'], force: true },
  'who-has': { op: 'who-has', keys: ['a'] },
  scatter: { op: 'scatter', worker: worker.address, keys: [{ key: 'x', nbytes: 8, typeName: 'Float64Array' }] },
  'get-workers': { op: 'get-workers' },
  'heartbeat-client': { op: 'heartbeat-client' },
  'close-client': { op: 'close-client' },
  'key-in-memory': { op: 'key-in-memory', key: 'a', nbytes: 8, typeName: 'number' },
  'task-erred': { op: 'task-erred', key: 'a', error },
  'key-cancelled': { op: 'key-cancelled', key: 'a' },
  'who-has-reply': { op: 'who-has-reply', whoHas: { a: [worker.address], b: [] } },
  'lost-data': { op: 'lost-data', key: 'a' },
  workers: { op: 'workers', workers: [worker] },
  'compute-task': { op: 'compute-task', key: 'b', fn, args, whoHas: { a: [worker.address] }, priority: [0, 1, 3] },
  'free-keys': { op: 'free-keys', keys: ['a'] },
  'cancel-compute': { op: 'cancel-compute', key: 'a' },
  'steal-request': { op: 'steal-request', key: 'a' },
  'register-worker': { op: 'register-worker', ...worker },
  'task-finished': { op: 'task-finished', key: 'a', nbytes: 8 },
  heartbeat: { op: 'heartbeat', metrics },
  'missing-data': { op: 'missing-data', key: 'a', errantWorker: worker.address },
  'add-keys': { op: 'add-keys', keys: [{ key: 'a', nbytes: 8 }] },
  'release-worker-data': { op: 'release-worker-data', keys: ['a'] },
  'steal-response': { op: 'steal-response', key: 'a', accepted: false },
  'worker-status': { op: 'worker-status', status: 'paused' },
  'get-data': { op: 'get-data', id: 7, keys: ['a'] },
  'get-data-reply': { op: 'get-data-reply', id: 7, data: { a: args }, missing: ['b'] },
  'put-data': { op: 'put-data', id: 8, data: { x: args } },
  'put-data-reply': { op: 'put-data-reply', id: 8, keys: [{ key: 'x', nbytes: 8 }] },
};

/** The error text for `msg` with one field replaced. */
function errorWith<O extends Op>(op: O, change: Record<string, unknown>): string {
  const result = validateMessage({ ...EXAMPLES[op], ...change });
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.error;
}

describe('protocol: validateMessage', () => {
  test.each(Object.keys(EXAMPLES) as Op[])('accepts a good %s, also after a JSON round trip', (op) => {
    const msg: Message = EXAMPLES[op];
    expect(validateMessage(msg)).toEqual({ ok: true, msg });
    const wire: unknown = JSON.parse(JSON.stringify(msg));
    expect(validateMessage(wire)).toEqual({ ok: true, msg: wire });
  });

  test('the direction lists cover every op; only task-erred travels two ways', () => {
    const listed: string[] = Object.values(OPS).flat();
    expect([...new Set(listed)].sort()).toEqual(Object.keys(EXAMPLES).sort());
    expect(listed.filter((op, i) => listed.indexOf(op) !== i)).toEqual(['task-erred']);
  });

  test('refuses what is not a message, an unknown op and an op not accepted here', () => {
    expect(validateMessage([1])).toEqual({
      ok: false,
      error: 'a message must be an object with an "op" field, got an array',
    });
    expect(validateMessage(null)).toMatchObject({ ok: false, error: expect.stringContaining('got null') as unknown });
    expect(validateMessage({ key: 'a' })).toEqual({ ok: false, error: 'the message has no string "op" field' });
    expect(validateMessage({ op: 'rm-rf' })).toEqual({ ok: false, error: 'unknown op "rm-rf"' });
    expect(validateMessage({ op: 'toString' })).toEqual({ ok: false, error: 'unknown op "toString"' });
    const asClient = validateMessage(EXAMPLES['task-finished'], { accept: OPS.clientToScheduler });
    expect(asClient.ok).toBe(false);
    expect(asClient.ok ? '' : asClient.error).toMatch(
      /^op "task-finished" is not accepted here \(expected one of: update-graph, /,
    );
    const ok = validateMessage(EXAMPLES['free-keys'], { accept: OPS.schedulerToWorker });
    expect(ok.ok && ok.msg.op).toBe('free-keys');
  });

  test('wrong field types are named with their op and path', () => {
    expect(errorWith('compute-task', { priority: 'high' })).toBe(
      'compute-task: priority must be an array of 1 to 8 finite numbers, got a string of 4 characters',
    );
    expect(errorWith('task-finished', { nbytes: -1 })).toBe(
      'task-finished: nbytes must be a whole number >= 0, got -1',
    );
    expect(errorWith('steal-response', { accepted: 'yes' })).toBe(
      'steal-response: accepted must be true or false, got a string of 3 characters',
    );
    expect(errorWith('hello', { role: 'admin' })).toBe(
      'hello: role must be "client" or "worker" or "scheduler", got a string of 5 characters',
    );
    expect(errorWith('who-has-reply', { whoHas: { a: [1] } })).toBe(
      'who-has-reply: whoHas["a"][0] must be a string of at most 1024 characters, got 1',
    );
    expect(errorWith('heartbeat', { metrics: { ...metrics, ready: 1.5 } })).toBe(
      'heartbeat: metrics.ready must be a whole number >= 0, got 1.5',
    );
  });

  test('nested task specs and error records are checked field by field', () => {
    const bad = { ...EXAMPLES['update-graph'].tasks[1]!, fn: { kind: 'eval', source: 'x' } };
    expect(errorWith('update-graph', { tasks: [EXAMPLES['update-graph'].tasks[0], bad] })).toBe(
      'update-graph: tasks[1].fn.kind must be "module" or "source", got a string of 4 characters',
    );
    const noArgs = { key: 'a', fn, deps: [] };
    expect(errorWith('update-graph', { tasks: [noArgs] })).toBe('update-graph: tasks[0].args is missing');
    expect(errorWith('task-erred', { error: { ...error, cause: { name: 'E', message: 1, stack: '' } } })).toBe(
      'task-erred: error.cause.message must be a string of at most 1048576 characters, got 1',
    );
    let deep: Record<string, unknown> = { name: 'E', message: 'm', stack: '' };
    for (let i = 0; i < 10; i++) deep = { name: 'E', message: 'm', stack: '', cause: deep };
    expect(errorWith('task-erred', { error: deep })).toBe(
      'task-erred: error.cause.cause.cause.cause.cause.cause.cause.cause.cause is nested more than 8 causes deep',
    );
    expect(errorWith('task-erred', { error: { ...error, props: { f: () => 1 } } })).toBe(
      'task-erred: error.props["f"] must be JSON data, got a function',
    );
  });

  test('unexpected fields are refused, including __proto__', () => {
    expect(errorWith('free-keys', { extra: 1 })).toBe('free-keys: extra is not an expected field');
    const polluted: unknown = JSON.parse('{"op":"free-keys","keys":[],"__proto__":{"x":1}}');
    expect(validateMessage(polluted)).toEqual({ ok: false, error: 'free-keys: __proto__ is not an expected field' });
  });

  test('strings and arrays over the limits are refused with the limit in the text', () => {
    expect(errorWith('release-keys', { keys: ['k'.repeat(5000)] })).toBe(
      'release-keys: keys[0] must be a string of at most 4096 characters, got a string of 5000 characters',
    );
    expect(errorWith('refused', { reason: 'r'.repeat((1 << 20) + 1) })).toMatch(
      /^refused: reason must be a string of at most 1048576 characters/,
    );
    const many = validateMessage({ op: 'free-keys', keys: ['a', 'b', 'c', 'd'] }, { limits: { maxItems: 3 } });
    expect(many).toEqual({ ok: false, error: 'free-keys: keys has 4 items, more than the limit of 3' });
    const wide = validateMessage(
      { op: 'who-has-reply', whoHas: { a: [], b: [], c: [], d: [] } },
      { limits: { maxItems: 3 } },
    );
    expect(wide).toEqual({ ok: false, error: 'who-has-reply: whoHas has 4 entries, more than the limit of 3' });
    const longKey = validateMessage(
      { op: 'who-has-reply', whoHas: { ['k'.repeat(10)]: [] } },
      { limits: { maxKeyLength: 5 } },
    );
    expect(longKey).toEqual({
      ok: false,
      error: 'who-has-reply: whoHas has a key of 10 characters, more than the limit of 5',
    });
  });

  test('frame references must point at frames the envelope has', () => {
    expect(checkFrameRefs(EXAMPLES['compute-task'], 1)).toBeUndefined();
    expect(checkFrameRefs(EXAMPLES['compute-task'], 0)).toBe(
      'compute-task: refers to frame 0, but the message has 0 frames',
    );
    expect(checkFrameRefs(EXAMPLES['put-data'], 0)).toBe('put-data: refers to frame 0, but the message has 0 frames');
    expect(checkFrameRefs(EXAMPLES['free-keys'], 0)).toBeUndefined();
  });
});

describe('protocol: frame sizes', () => {
  test('sizes within the limits pass', () => {
    expect(checkFrameSizes(1000, [8, 8 << 20])).toBeUndefined();
    // The most ws enforces (it reads maxPayload as an int32; 4 GiB meant no cap at all).
    expect(FRAME_LIMITS.maxTotalBytes).toBe(2 ** 31 - 1);
  });

  test('an oversize header, too many frames or too many bytes is refused before allocation', () => {
    expect(checkFrameSizes(65 << 20, [])).toBe(`header of ${65 << 20} bytes exceeds the limit of ${64 << 20} bytes`);
    expect(checkFrameSizes(10, new Array<number>(100_001).fill(1))).toBe(
      '100001 frames exceed the limit of 100000 frames',
    );
    expect(checkFrameSizes(10, [2 ** 31])).toBe(
      `message of ${2 ** 31 + 10} bytes exceeds the limit of ${2 ** 31 - 1} bytes`,
    );
    expect(checkFrameSizes(10, [3, -1])).toBe('frame 1 size -1 is not a byte count');
    expect(checkFrameSizes(Number.NaN, [])).toBe('header size NaN is not a byte count');
  });

  test('limits are configurable; the handshake takes one small header and no frames', () => {
    expect(() => frameLimits({ maxTotalBytes: 2 ** 32 })).toThrow(/at most|between 1 and 2147483647/);
    const small = frameLimits({ maxTotalBytes: 100 });
    expect(checkFrameSizes(50, [60], small)).toBe('message of 110 bytes exceeds the limit of 100 bytes');
    expect(checkFrameSizes(200, [], HANDSHAKE_FRAME_LIMITS)).toBeUndefined();
    expect(checkFrameSizes(200, [1], HANDSHAKE_FRAME_LIMITS)).toBe('1 frames exceed the limit of 0 frames');
    expect(checkFrameSizes(20_000, [], HANDSHAKE_FRAME_LIMITS)).toBe(
      'header of 20000 bytes exceeds the limit of 16384 bytes',
    );
  });
});

describe('protocol: handshake', () => {
  test('a version or Node mismatch names what each side runs', () => {
    expect(
      checkHandshake(
        { role: 'client', version: '0.1.0', nodeMajor: 20 },
        { role: 'scheduler', version: '0.1.0', nodeMajor: 20 },
      ),
    ).toBeUndefined();
    expect(
      checkHandshake(
        { role: 'client', version: '0.1.0', nodeMajor: 20 },
        { role: 'scheduler', version: '0.2.0', nodeMajor: 22 },
      ),
    ).toBe(
      'client runs dask-ts 0.1.0 on Node 20, scheduler runs dask-ts 0.2.0 on Node 22: use the same versions on both sides',
    );
    expect(
      checkHandshake(
        { role: 'scheduler', version: '0.1.0', nodeMajor: 20 },
        { role: 'worker', version: '0.1.0', nodeMajor: 22 },
      ),
    ).toBe(
      'scheduler runs dask-ts 0.1.0 on Node 20, worker runs dask-ts 0.1.0 on Node 22: use the same versions on both sides',
    );
  });

  test('tokens compare exactly', () => {
    expect(tokensMatch('s3cret', 's3cret')).toBe(true);
    expect(tokensMatch('s3cret', 's3creT')).toBe(false);
    expect(tokensMatch('s3cret', 's3cret-longer')).toBe(false);
    expect(tokensMatch('s3cret', '')).toBe(false);
  });
});
