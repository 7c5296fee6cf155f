import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { collectionsToGraph } from '../../../src/core/compute.js';
import { frameOf, mixed, rowsOfMixed } from './data.js';
import { diffRows, rowsOf, tasksOf } from './reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dask-ts-parquet-'));

afterAll(async () => {
  await closePools();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(SCHEDULERS)('Parquet on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };
  const m = mixed(250, 31);
  const rows = rowsOfMixed(m);

  test('toParquet then readParquet round-trips values, missing values and dtypes', async () => {
    const out = join(dir, `round-${scheduler}`);
    const paths = await frameOf(m, 3).toParquet(out, opts);
    expect(paths).toHaveLength(3);
    const back = dd.readParquet(out);
    expect(back.dtypes).toEqual({ k: 'int32', g: 'string', v: 'float64', w: 'int32', b: 'bool' });
    expect(back.npartitions).toBe(3);
    expect(diffRows(rowsOf(await back.compute(opts)), rows)).toBeUndefined();
  });

  test('one partition per row group or per file, and a column list', async () => {
    const out = join(dir, `groups-${scheduler}`);
    await frameOf(m, 2).toParquet(out, { ...opts, rowGroupSize: 40 });
    const byGroup = dd.readParquet(join(out, '*.parquet'));
    expect(byGroup.npartitions).toBe(Math.ceil(125 / 40) * 2);
    expect(diffRows(rowsOf(await byGroup.compute(opts)), rows)).toBeUndefined();
    const byFile = dd.readParquet(out, { splitRowGroups: false, columns: ['w', 'g'] });
    expect(byFile.npartitions).toBe(2);
    expect(byFile.columns).toEqual(['w', 'g']);
    expect(
      diffRows(
        rowsOf(await byFile.compute(opts)),
        rows.map((r) => ({ w: r.w!, g: r.g! })),
      ),
    ).toBeUndefined();
  });

  test('the optimiser reads only the columns used, and filters skip row groups by statistics', async () => {
    const out = join(dir, `stats-${scheduler}`);
    const w = Int32Array.from({ length: 1000 }, (_, i) => i);
    const wide = dd.fromColumns(
      {
        w,
        a: Float64Array.from(w, (x) => x * 2),
        b: Float64Array.from(w, (x) => x * 3),
        s: Array.from(w, (x) => `s${x % 7}`),
      },
      { npartitions: 1 },
    );
    await wide.toParquet(out, { ...opts, rowGroupSize: 100 });
    const df = dd.readParquet(out);
    expect(df.npartitions).toBe(10);
    const q = df.filter(df.col('w').ge(850)).groupby('s').agg({ a: 'sum' });
    const readers = tasksOf(collectionsToGraph([q]).graph).filter((t) => t.fn.name === 'parquetReadPiece');
    const specs = readers.map((t) => t.args[0] as { columns: string[]; rowStart: number; rowEnd: number });
    expect(specs.every((s) => s.columns.join() === 'w,a,s')).toBe(true);
    expect(specs.filter((s) => s.rowEnd > s.rowStart).map((s) => s.rowStart)).toEqual([800, 900]);
    const want = new Map<string, number>();
    for (let x = 850; x < 1000; x++) want.set(`s${x % 7}`, (want.get(`s${x % 7}`) ?? 0) + x * 2);
    expect(rowsOf(await q.compute(opts))).toEqual(
      [...want].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, a]) => ({ s, a })),
    );
    const viaOption = dd.readParquet(out, {
      filters: [
        ['w', '<', 150],
        ['w', '>=', 90],
      ],
    });
    expect(rowsOf(await viaOption.select(['w']).compute(opts)).map((r) => r.w)).toEqual(
      Array.from({ length: 60 }, (_, i) => 90 + i),
    );
  });

  test('gzip-compressed files from another writer, with INT64 columns, read as float64', async () => {
    const file = join(dir, `gzip-${scheduler}.parquet`);
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: BigInt64Array.from([1n, 2n, 3n]), type: 'INT64' },
        { name: 'name', data: ['a', null, 'c'], type: 'STRING', nullable: true },
      ],
      codec: 'GZIP',
      compressors: { GZIP: (input) => new Uint8Array(gzipSync(input)) },
    });
    writeFileSync(file, new Uint8Array(buffer));
    const df = dd.readParquet(file);
    expect(df.dtypes).toEqual({ id: 'float64', name: 'string' });
    expect(rowsOf(await df.compute(opts))).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: null },
      { id: 3, name: 'c' },
    ]);
  });

  test('bad paths and columns fail when the frame is made', () => {
    expect(() => dd.readParquet(join(dir, 'none-*.parquet'))).toThrow(/no file matches/);
  });
});
