import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ValueError } from '../../../src/core/errors.js';
import { packValue, unpackValue } from '../../../src/core/serialize/codec.js';
import { decodeError } from '../../../src/core/serialize/error-codec.js';
import type { ErrorRecord } from '../../../src/core/serialize/error-codec.js';
import { fnRefOf, packageRoot, registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import type { FnRef } from '../../../src/core/serialize/fn-ref.js';
// @ts-expect-error -- a plain .mjs fixture without type declarations
import * as kernels from '../../fixtures/serialize/kernels.mjs';
import { rowsJson, sampleTable, sharedTable } from './arrow-tables.js';

type Reply = { id: number; ok: true; packed: unknown; info: unknown } | { id: number; ok: false; error: ErrorRecord };
const fixtureUrl = new URL('../../fixtures/serialize/kernels.mjs', import.meta.url).href;
const { double, failWithValueError } = kernels as {
  double: (x: number) => number;
  failWithValueError: (m: string) => Promise<never>;
};

let worker: Worker;
let nextId = 0;
const waiting = new Map<
  number,
  { resolve: (r: { value: unknown; info: unknown }) => void; reject: (e: Error) => void }
>();

/** Sends a value to the worker thread for `op` and resolves with what it sends back. */
function ask<I = unknown>(op: string, value: unknown, ref?: FnRef): Promise<{ value: unknown; info: I }> {
  const id = nextId++;
  const { packed, transfer } = packValue(value);
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (r: { value: unknown; info: unknown }) => void, reject });
    worker.postMessage({ id, op, packed, ref }, transfer);
  });
}

beforeAll(() => {
  const built = join(packageRoot(), 'dist', 'src', 'core', 'serialize', 'codec.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first (npm test does)`);
  worker = new Worker(new URL('../../fixtures/serialize/echo-worker.mjs', import.meta.url));
  worker.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) w?.resolve({ value: unpackValue(reply.packed), info: reply.info });
    else w?.reject(decodeError(reply.error));
  });
  worker.on('error', (e) => {
    for (const w of waiting.values()) w.reject(e);
  });
});

afterAll(async () => {
  await worker.terminate();
});

describe('values crossing to a worker thread and back', () => {
  test('an ndarray in a SharedArrayBuffer is shared, not copied, in both directions', async () => {
    const a = ndarray(new Float64Array(new SharedArrayBuffer(6 * 8)), [2, 3]);
    for (let i = 0; i < 6; i++) a.data[i] = i;
    const { value, info } = await ask<{
      hasMethods: boolean;
      dtype: string;
      shape: number[];
      shared: boolean;
      values: number[];
    }>('ndarray', a);
    expect(info).toEqual({
      hasMethods: true,
      dtype: 'float64',
      shape: [2, 3],
      shared: true,
      values: [0, 1, 2, 3, 4, 5],
    });
    expect(a.get(1, 2)).toBe(99);
    const back = value as NdArray<Float64Array>;
    expect(back.get(1, 2)).toBe(99);
    expect(Object.prototype.toString.call(back.data.buffer)).toBe('[object SharedArrayBuffer]');
    back.set(0, 0, -5);
    expect(a.get(0, 0)).toBe(-5);
  });

  test('an ndarray in an ordinary ArrayBuffer is copied', async () => {
    const a = ndarray(Float64Array.of(0, 1, 2, 3, 4, 5), [2, 3]);
    const { value, info } = await ask<{ shared: boolean }>('ndarray', a);
    expect(info.shared).toBe(false);
    expect(a.get(1, 2)).toBe(5);
    expect((value as NdArray<Float64Array>).get(1, 2)).toBe(99);
  });

  test('an Arrow table over SharedArrayBuffers is a real Table on both sides and shares its columns', async () => {
    const t = sharedTable(4);
    const before = rowsJson(t);
    const { value, info } = await ask<{
      isTable: boolean;
      numRows: number;
      batches: number;
      rows: string;
      shared: boolean;
    }>('arrow', t);
    expect(info).toEqual({ isTable: true, numRows: 4, batches: 1, rows: before, shared: true });
    expect(t.getChild('x')!.get(0)).toBe(-1);
    const back = value as Table;
    expect(back).toBeInstanceOf(Table);
    expect(rowsJson(back)).toBe(rowsJson(t));
    const values = back.getChild('x')!.data[0]!.values as Float64Array;
    values[2] = 7;
    expect(t.getChild('x')!.get(2)).toBe(7);
    expect(t.getChild('name')!.get(3)).toBe('n3');
  });

  test('a table with nulls, dictionaries, nested columns and two batches arrives intact', async () => {
    const t = sampleTable();
    const { value, info } = await ask<{ isTable: boolean; batches: number; rows: string }>('arrow', t);
    expect(info.isTable).toBe(true);
    expect(info.batches).toBe(2);
    expect(info.rows).toBe(rowsJson(t));
    const back = value as Table;
    expect(back.getChild('x')).toBeNull();
  });

  test('mixed values and errors inside results round-trip', async () => {
    const value = {
      n: [1, NaN, -0],
      s: 'é',
      big: 12n,
      t: Int16Array.of(-2),
      err: new RangeError('inside'),
      chunk: ndarray(Uint8Array.of(1, 2), [2]),
    };
    const back = (await ask('echo', value)).value as typeof value;
    expect(back.n).toEqual([1, NaN, -0]);
    expect(back.big).toBe(12n);
    expect([...back.t]).toEqual([-2]);
    expect(back.err).toBeInstanceOf(RangeError);
    expect(back.err.message).toBe('inside');
    expect(back.chunk.get(1)).toBe(2);
  });
});

describe('functions crossing to a worker thread', () => {
  test('a lambda from this file runs there by source', async () => {
    const weightedSum = (xs: number[], k: number): number => xs.map((x) => x * k).reduce((a, b) => a + b, 0);
    const { value } = await ask('call', [[1, 2, 3], 10], fnRefOf(weightedSum));
    expect(value).toBe(60);
  });

  test('async functions and method shorthand run there too', async () => {
    const o = {
      async later(this: void, x: number) {
        await new Promise((r) => setTimeout(r, 1));
        return x + 1;
      },
    };
    expect((await ask('call', [41], fnRefOf(o.later))).value).toBe(42);
  });

  test('a module function runs there by reference', async () => {
    registerModuleFunction(double, fixtureUrl);
    expect((await ask('call', [21], fnRefOf(double))).value).toBe(42);
  });

  test('a TypeError thrown there arrives as a TypeError with the remote stack', async () => {
    const boom = (x: { y: { z: number } }): number => x.y.z;
    const err = await ask('call', [{}], fnRefOf(boom)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/Cannot read properties of undefined/);
    expect((err as Error).stack).toContain('echo-worker.mjs');
  });

  test('a DaskError subclass thrown there is rebuilt by its code', async () => {
    registerModuleFunction(failWithValueError, fixtureUrl);
    const err = await ask('call', ['bad chunks'], fnRefOf(failWithValueError)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ code: 'DASK_ERR_VALUE', message: 'bad chunks', name: 'ValueError' });
  });
});
