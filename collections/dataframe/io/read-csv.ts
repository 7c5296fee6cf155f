/*
 * dd.readCsv(path | glob | list, { blocksize, columns, dtypes, sep, header, sample }): a frame
 * with one partition per byte-range block of every file (blocksize 64 MiB by default; a smaller
 * file is one block). The header and the dtypes are found now, from the first `sample` bytes
 * (256 KiB) of the first file: a column whose present values are all integers that fit is int32,
 * all numbers float64, all true/false bool, anything else string (dictionary-encoded); `dtypes`
 * overrides per column (int32, float64, bool or string). The blocks are parsed in parallel when
 * computed, by the plan's ReadCsvNode (plan/nodes/read-csv.ts), which also takes the optimiser's
 * projection and filters.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { ValueError } from '../../../src/core/errors.js';
import type { DType } from '../dtype.js';
import { CsvParseError } from '../errors.js';
import { parseNumber } from '../kernels/csv-fields.js';
import { sampleRecords } from '../kernels/csv-parse.js';
import { checkColumns } from '../ops/select.js';
import { ReadCsvNode, type CsvFile } from '../plan/nodes/read-csv.js';
import { expandPaths } from './glob.js';

export interface ReadCsvOptions {
  /** Bytes per block (partition); 64 MiB by default. */
  blocksize?: number;
  /** Read only these columns. */
  columns?: readonly string[];
  /** Dtypes by column name, instead of inferring them. */
  dtypes?: Readonly<Record<string, DType>>;
  /** Field separator (one character); ',' by default. */
  sep?: string;
  /** Bytes of the first file sampled for the header and dtypes; 256 KiB by default. */
  sample?: number;
}

const CSV_DTYPES = new Set<DType>(['int32', 'float64', 'bool', 'string']);

function inferColumn(values: readonly string[]): DType {
  let int = true;
  let num = true;
  let bool = true;
  const enc = new TextEncoder();
  for (const v of values) {
    if (v === '') continue;
    const t = v.trim().toLowerCase();
    if (t !== 'true' && t !== 'false') bool = false;
    const b = enc.encode(v);
    const x = parseNumber(b, 0, b.length);
    if (x === undefined) {
      if (!['na', 'n/a', 'nan', 'null', 'none', '#n/a'].includes(t)) num = int = false;
    } else if (!Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31) int = false;
  }
  if (values.every((v) => v === '')) return 'string';
  if (bool && values.some((v) => v !== '')) return 'bool';
  if (int && num) return 'int32';
  return num ? 'float64' : 'string';
}

function inferSource(files: readonly CsvFile[], options: ReadCsvOptions): { names: string[]; dtypes: DType[] } {
  const first = files[0]!;
  const want = Math.min(first.size, options.sample ?? 256 * 1024);
  const buf = new Uint8Array(want);
  const fd = openSync(first.path, 'r');
  try {
    readSync(fd, buf, 0, want, 0);
  } finally {
    closeSync(fd);
  }
  const sep = (options.sep ?? ',').charCodeAt(0);
  const rows = sampleRecords(buf, sep, want === first.size, 100_000);
  const header = rows[0]?.fields;
  if (header === undefined) throw new CsvParseError(first.path, 1, 'the file has no header line');
  if (new Set(header).size !== header.length)
    throw new CsvParseError(first.path, 1, `duplicate column names in the header [${header.join(', ')}]`);
  const body = rows.slice(1);
  for (const r of body) {
    if (r.fields.length !== header.length)
      throw new CsvParseError(
        first.path,
        r.line,
        `expected ${header.length} fields (${header.join(', ')}), found ${r.fields.length}`,
      );
  }
  const dtypes = header.map((name, f) => {
    const given = options.dtypes?.[name];
    if (given !== undefined) {
      if (!CSV_DTYPES.has(given))
        throw new ValueError(
          `readCsv: dtype '${given}' of column '${name}' is not one the CSV reader builds (int32, float64, bool, string)`,
        );
      return given;
    }
    return inferColumn(body.map((r) => r.fields[f]!));
  });
  for (const name of Object.keys(options.dtypes ?? {}))
    if (!header.includes(name))
      checkColumns(
        [name],
        header.map((n) => ({ name: n, dtype: 'string' })),
        'readCsv dtypes',
      );
  return { names: header, dtypes };
}

export function readCsv(path: string | readonly string[], options: ReadCsvOptions = {}): ReadCsvNode {
  const files = expandPaths(path, 'readCsv').map((p) => ({ path: p, size: statSync(p).size }));
  const blocksize = options.blocksize ?? 64 * 1024 * 1024;
  if (!Number.isInteger(blocksize) || blocksize < 1)
    throw new ValueError(`readCsv: blocksize must be a positive integer, got ${String(blocksize)}`);
  const sep = options.sep ?? ',';
  if (sep.length !== 1 || sep.charCodeAt(0) > 127)
    throw new ValueError(`readCsv: sep must be one ASCII character, got ${JSON.stringify(sep)}`);
  const { names, dtypes } = inferSource(files, options);
  const selected = options.columns === undefined ? names : [...options.columns];
  checkColumns(
    selected,
    names.map((n, i) => ({ name: n, dtype: dtypes[i]! })),
    'readCsv',
  );
  return new ReadCsvNode({ files, blocksize, sep: sep.charCodeAt(0), names, dtypes }, selected, null);
}
