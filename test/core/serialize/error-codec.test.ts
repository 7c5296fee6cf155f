import { describe, expect, test } from 'vitest';
import {
  CancelledError,
  DaskError,
  GraphError,
  KilledWorker,
  SerializationError,
  TaskError,
  ValueError,
} from '../../../src/core/errors.js';
import { fromFrames, packValue, toFrames, unpackValue } from '../../../src/core/serialize/codec.js';
import { decodeError, encodeError, isErrorRecord } from '../../../src/core/serialize/error-codec.js';
import type { ErrorRecord } from '../../../src/core/serialize/error-codec.js';

/** Encodes, sends through JSON (as a socket would), and rebuilds. */
function viaJson(err: unknown, key?: string): Error {
  const rec = JSON.parse(JSON.stringify(encodeError(err, key))) as unknown;
  expect(isErrorRecord(rec)).toBe(true);
  return decodeError(rec as ErrorRecord);
}

function throwTypeError(): never {
  const o = null as unknown as { x: number };
  return o.x as never;
}

describe('error records', () => {
  test('a TypeError stays a TypeError with its message and the remote stack', () => {
    let original: unknown;
    try {
      throwTypeError();
    } catch (e) {
      original = e;
    }
    expect(original).toBeInstanceOf(TypeError);
    const rec = encodeError(original, 'sum-1');
    expect(rec.name).toBe('TypeError');
    expect(rec.key).toBe('sum-1');
    expect(rec.stack).toContain('throwTypeError');
    const back = viaJson(original);
    expect(back).toBeInstanceOf(TypeError);
    expect(back.name).toBe('TypeError');
    expect(back.message).toBe((original as TypeError).message);
    expect(back.stack).toBe((original as TypeError).stack);
    expect(back.stack).toContain('throwTypeError');
  });

  test.each([
    ['RangeError', RangeError],
    ['SyntaxError', SyntaxError],
    ['ReferenceError', ReferenceError],
    ['EvalError', EvalError],
    ['URIError', URIError],
  ] as const)('%s is rebuilt as its class', (name, Ctor) => {
    const back = viaJson(new Ctor('m'));
    expect(back).toBeInstanceOf(Ctor);
    expect(back.name).toBe(name);
    expect(back.message).toBe('m');
  });

  test('DaskError subclasses are rebuilt by code, keeping fields', () => {
    const graph = viaJson(new GraphError('cycle found: a -> b -> a', { cycle: ['a', 'b', 'a'], key: 'a' }));
    expect(graph).toBeInstanceOf(GraphError);
    expect(graph).toMatchObject({
      code: 'DASK_ERR_GRAPH',
      name: 'GraphError',
      message: 'cycle found: a -> b -> a',
      key: 'a',
    });
    expect((graph as GraphError).cycle).toEqual(['a', 'b', 'a']);

    const ser = viaJson(new SerializationError('cannot ship'));
    expect(ser).toBeInstanceOf(SerializationError);
    expect(ser).toBeInstanceOf(DaskError);
    expect((ser as SerializationError).code).toBe('DASK_ERR_SERIALIZATION');

    const killed = viaJson(new KilledWorker('x-1', 'tcp://w1', 'segfault'));
    expect(killed).toBeInstanceOf(KilledWorker);
    expect(killed).toMatchObject({
      key: 'x-1',
      worker: 'tcp://w1',
      message: 'task x-1 was running on tcp://w1, which died: segfault',
    });

    expect(viaJson(new CancelledError('stop', 'k'))).toBeInstanceOf(CancelledError);
    expect(viaJson(new ValueError('bad'))).toBeInstanceOf(ValueError);
  });

  test('a TaskError keeps its message, key, original name and remote stack without re-wrapping', () => {
    const task = new TaskError('mean-3', {
      name: 'RangeError',
      message: 'too big',
      stack: 'RangeError: too big\n    at kernel',
    });
    const back = viaJson(task) as TaskError;
    expect(back).toBeInstanceOf(TaskError);
    expect(back.message).toBe('task mean-3 failed: RangeError: too big');
    expect(back.key).toBe('mean-3');
    expect(back.originalName).toBe('RangeError');
    expect(back.stack).toBe(task.stack);
  });

  test('Node-style codes, extra fields, custom names and causes survive', () => {
    const err = Object.assign(new Error('no such file'), { code: 'ENOENT', errno: -2, path: '/x', handle: () => 1 });
    const back = viaJson(new Error('outer', { cause: err }));
    const cause = back.cause as Error & { code: string; errno: number; path: string; handle?: unknown };
    expect(cause).toBeInstanceOf(Error);
    expect(cause).toMatchObject({ message: 'no such file', code: 'ENOENT', errno: -2, path: '/x' });
    expect(cause.handle).toBeUndefined();

    class MyError extends Error {
      override name = 'MyError';
    }
    const mine = viaJson(new MyError('custom'));
    expect(mine.name).toBe('MyError');
    expect(mine).toBeInstanceOf(Error);
  });

  test('thrown non-Error values become Error records', () => {
    expect(encodeError('boom')).toEqual({ name: 'Error', message: 'boom', stack: '' });
    expect(encodeError(42).message).toBe('42');
    expect(encodeError({ reason: 'x' }).message).toBe('{"reason":"x"}');
    expect(encodeError(undefined).message).toBe('undefined');
    const back = viaJson('boom', 'k');
    expect(back).toBeInstanceOf(Error);
    expect(back.message).toBe('boom');
    expect(back.stack).toBe('Error: boom');
    expect((back as Error & { key: string }).key).toBe('k');
  });

  test('malformed records are recognised', () => {
    expect(isErrorRecord({ name: 'E', message: 'm' })).toBe(false);
    expect(isErrorRecord({ name: 'E', message: 'm', stack: '', code: 1 })).toBe(false);
    expect(isErrorRecord(null)).toBe(false);
  });

  test('errors inside values travel through both transports', () => {
    const value = { ok: false, error: new RangeError('r'), nested: [new ValueError('v')] };
    const { header, frames } = toFrames(value);
    const viaFrames = fromFrames(header, frames) as typeof value;
    expect(viaFrames.error).toBeInstanceOf(RangeError);
    expect(viaFrames.nested[0]).toBeInstanceOf(ValueError);

    const viaClone = unpackValue(structuredClone(packValue(value).packed)) as typeof value;
    expect(viaClone.error).toBeInstanceOf(RangeError);
    expect(viaClone.error.message).toBe('r');
    expect(viaClone.nested[0]).toBeInstanceOf(ValueError);
    expect((viaClone.nested[0] as ValueError).code).toBe('DASK_ERR_VALUE');
  });
});
