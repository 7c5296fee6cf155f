import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as dd from '../../../src/dataframe.js';
import { closePools, SCHEDULERS } from './schedulers.js';
import { collectionsToGraph } from '../../../src/core/compute.js';
import { diffRows, groupbyRef, random, rowsOf, tasksOf, type Row } from './reference.js';
import { frameOf, mixed, rowsOfMixed } from './data.js';

const dir = mkdtempSync(join(tmpdir(), 'dask-ts-csv-'));

afterAll(async () => {
  await closePools();
  rmSync(dir, { recursive: true, force: true });
});

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows with quotes, separators, embedded newlines and missing values, and their CSV text. */
function fixture(n: number, seed: number, eol = '\n'): { rows: Row[]; text: string } {
  const r = random(seed);
  const words = ['plain', 'with,comma', 'say "hi"', 'two\nlines', 'crlf\r\ninside', 'ünïcødé', ''];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const w = words[Math.floor(r() * words.length)]!;
    rows.push({
      id: i,
      name: w === '' ? null : w,
      score: r() < 0.1 ? null : Math.round(r() * 1e4) / 100,
      ok: r() < 0.1 ? null : r() < 0.5,
    });
  }
  const lines = [
    'id,name,score,ok',
    ...rows.map((row) => [row.id, row.name, row.score, row.ok].map((v) => csvField(v as never)).join(',')),
  ];
  return { rows, text: lines.join(eol) + eol };
}

describe.each(SCHEDULERS)('readCsv on %s', (scheduler) => {
  const opts = { scheduler, numWorkers: 2 };

  test('quoted fields, embedded newlines and missing values across many small blocks', async () => {
    const { rows, text } = fixture(300, 1);
    const file = join(dir, `quotes-${scheduler}.csv`);
    writeFileSync(file, text);
    for (const blocksize of [64, 1000, 1 << 20]) {
      const df = dd.readCsv(file, { blocksize });
      expect(df.dtypes).toEqual({ id: 'int32', name: 'string', score: 'float64', ok: 'bool' });
      expect(df.npartitions).toBe(Math.ceil(Buffer.byteLength(text) / blocksize));
      expect(diffRows(rowsOf(await df.compute(opts)), rows), `blocksize ${blocksize}`).toBeUndefined();
    }
  });

  test('several files by glob and by list, CRLF line ends, in file-name order', async () => {
    const parts = [fixture(40, 2, '\r\n'), fixture(25, 3), fixture(60, 4)];
    parts.forEach((p, i) => writeFileSync(join(dir, `multi-${scheduler}-${i}.csv`), p.text));
    const want = parts.flatMap((p) => p.rows);
    const byGlob = dd.readCsv(join(dir, `multi-${scheduler}-*.csv`), { blocksize: 200 });
    expect(diffRows(rowsOf(await byGlob.compute(opts)), want)).toBeUndefined();
    const byList = dd.readCsv([0, 1, 2].map((i) => join(dir, `multi-${scheduler}-${i}.csv`)));
    expect(byList.npartitions).toBe(3);
    expect(diffRows(rowsOf(await byList.compute(opts)), want)).toBeUndefined();
  });

  test('dtype overrides and column selection', async () => {
    const file = join(dir, `types-${scheduler}.csv`);
    writeFileSync(file, 'a,b,c\n1,x,2.5\n2,,NA\n,z,4\n');
    const bom = join(dir, `bom-${scheduler}.csv`);
    writeFileSync(bom, '\ufeffx,y\n1,2\n');
    expect(rowsOf(await dd.readCsv(bom).compute(opts))).toEqual([{ x: 1, y: 2 }]);
    const df = dd.readCsv(file, { dtypes: { a: 'float64', c: 'string' }, columns: ['c', 'a'] });
    expect(df.dtypes).toEqual({ c: 'string', a: 'float64' });
    expect(rowsOf(await df.compute(opts))).toEqual([
      { c: '2.5', a: 1 },
      { c: 'NA', a: 2 },
      { c: '4', a: null },
    ]);
  });

  test('a malformed row names the file and the line, found while sampling or while parsing', async () => {
    const file = join(dir, `bad-${scheduler}.csv`);
    const good = Array.from({ length: 50 }, (_, i) => `${i},"multi\nline ${i}",${i / 2}`);
    writeFileSync(file, ['a,b,c', ...good.slice(0, 30), '31,oops', ...good.slice(30)].join('\n') + '\n');
    const line = 1 + 30 * 2 + 1;
    expect(() => dd.readCsv(file)).toThrow(
      new RegExp(`bad-${scheduler}\\.csv, line ${line}: expected 3 fields \\(a, b, c\\), found 2`),
    );
    const err = await dd
      .readCsv(file, { blocksize: 128, sample: 200 })
      .compute(opts)
      .then(
        () => undefined,
        (e: unknown) => e as dd.CsvParseError,
      );
    expect(err?.name).toBe('CsvParseError');
    expect(err?.code).toBe('DASK_ERR_VALUE');
    expect(err?.file).toBe(file);
    expect(err?.line).toBe(line);
    expect(err?.message).toMatch(
      new RegExp(`bad-${scheduler}\\.csv, line ${line}: expected 3 fields \\(a, b, c\\), found 2`),
    );
  });

  test('a value of the wrong type names the column, file and line', async () => {
    const file = join(dir, `badval-${scheduler}.csv`);
    writeFileSync(file, 'n,s\n1,a\n2,b\nthree,c\n');
    const err = await dd
      .readCsv(file, { dtypes: { n: 'int32' } })
      .compute(opts)
      .then(
        () => undefined,
        (e: unknown) => e as dd.CsvParseError,
      );
    expect(err?.name).toBe('CsvParseError');
    expect(err).toBeInstanceOf(dd.CsvParseError); // rebuilt as its own class, from any worker
    expect(err?.code).toBe('DASK_ERR_VALUE');
    expect(err?.line).toBe(4);
    expect(err?.column).toBe('n');
    expect(err?.message).toMatch(/badval-.*\.csv, line 4: column 'n': cannot parse 'three' as int32/);
  });

  test('a query using two of twenty columns reads two, and filters run in the reader', async () => {
    const r = random(8);
    const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const rows: Row[] = Array.from({ length: 400 }, () =>
      Object.fromEntries(names.map((n, i) => [n, i === 0 ? Math.floor(r() * 5) : Math.round(r() * 1000) / 10])),
    );
    const file = join(dir, `wide-${scheduler}.csv`);
    writeFileSync(file, [names.join(','), ...rows.map((row) => names.map((n) => row[n]).join(','))].join('\n'));
    const df = dd.readCsv(file, { blocksize: 4096 });
    const q = df.filter(df.col('c7').gt(50)).groupby('c0').agg({ c3: 'sum' });
    const readers = tasksOf(collectionsToGraph([q]).graph).filter((t) => t.fn.name === 'csvParseBlock');
    expect(readers.length).toBe(df.npartitions);
    for (const t of readers) {
      const spec = t.args[0] as { parse: string[]; filter: unknown };
      expect(spec.parse).toEqual(['c0', 'c3', 'c7']);
      expect(spec.filter).not.toBeNull();
    }
    expect(tasksOf(collectionsToGraph([q]).graph).some((t) => t.fn.name === 'filterRows')).toBe(false);
    const two = df.groupby('c0').agg({ c1: 'mean' });
    const spec2 = tasksOf(collectionsToGraph([two]).graph).find((t) => t.fn.name === 'csvParseBlock')!.args[0] as {
      parse: string[];
    };
    expect(spec2.parse).toEqual(['c0', 'c1']);
    const viaSort = df.sortValues('c5').col('c6').sum();
    const spec3 = tasksOf(collectionsToGraph([viaSort]).graph).find((t) => t.fn.name === 'csvParseBlock')!.args[0] as {
      parse: string[];
    };
    expect(spec3.parse).toEqual(['c5', 'c6']);
    expect(await viaSort.compute(opts)).toBeCloseTo(
      rows.reduce((a, row) => a + (row.c6 as number), 0),
      6,
    );
    const want = groupbyRef(
      rows.filter((row) => (row.c7 as number) > 50),
      ['c0'],
      [['c3', 'sum', 'c3']],
    );
    expect(diffRows(rowsOf(await q.compute(opts)), want)).toBeUndefined();
    expect(diffRows(rowsOf(await two.compute(opts)), groupbyRef(rows, ['c0'], [['c1', 'mean', 'c1']]))).toBeUndefined();
  });

  test('toCsv writes one file per partition that readCsv reads back', async () => {
    const { rows, text } = fixture(120, 5);
    const src = join(dir, `src-${scheduler}.csv`);
    writeFileSync(src, text);
    const out = join(dir, `out-${scheduler}`);
    const paths = await dd.readCsv(src, { blocksize: 700 }).toCsv(out, opts);
    expect(paths.length).toBe(Math.ceil(Buffer.byteLength(text) / 700));
    expect(readFileSync(paths[0]!, 'utf8').split('\n')[0]).toBe('id,name,score,ok');
    const back = dd.readCsv(join(out, '*.csv'));
    const sorted = rowsOf(await back.sortValues('id').compute(opts));
    expect(diffRows(sorted, rows)).toBeUndefined();
    const pattern = await dd.readCsv(src).toCsv(join(dir, `pat-${scheduler}`, 'part-*.csv'), opts);
    expect(pattern[0]).toMatch(/part-0\.csv$/);
  });

  test('toCsv round-trips every column kind, nulls and quoting across its 4,096-row pieces', async () => {
    // 5,000 rows in one partition: ints with nulls, dictionary strings with separators, quotes,
    // non-ASCII and nulls, floats with nulls and NaN (both read back missing), plain ints, booleans.
    const m = mixed(5000, 31);
    const out = join(dir, `kinds-${scheduler}`);
    const [path] = await frameOf(m, 1).toCsv(out, opts);
    const lines = readFileSync(path!, 'utf8').split('\n');
    expect(lines[0]).toBe('k,g,v,w,b');
    expect(lines).toHaveLength(5002); // header, 5,000 rows, and the empty string after the last newline
    const back = rowsOf(await dd.readCsv(path!, { dtypes: { k: 'float64', v: 'float64' } }).compute(opts));
    expect(diffRows(back, rowsOfMixed(m))).toBeUndefined();
  });

  test('bad paths and options fail when the frame is made', () => {
    expect(() => dd.readCsv(join(dir, 'nothing-*.csv'))).toThrow(/no file matches/);
    expect(() => dd.readCsv(join(dir, 'missing.csv'))).toThrow(/no such file/);
    const file = join(dir, `opt-${scheduler}.csv`);
    writeFileSync(file, 'a\n1\n');
    expect(() => dd.readCsv(file, { columns: ['b'] })).toThrow(dd.ColumnNotFoundError);
    expect(() => dd.readCsv(file, { dtypes: { a: 'int8' } })).toThrow(/not one the CSV reader builds/);
  });
});
