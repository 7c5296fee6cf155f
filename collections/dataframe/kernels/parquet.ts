/*
 * Parquet kernels over hyparquet (reader) and hyparquet-writer: pure JavaScript, no native or
 * downloaded binaries, and both read and write column chunks as typed arrays.
 *
 * Reading a piece (a row group, or a whole file) asks hyparquet for only the projected columns
 * and the piece's row range (snappy built in; gzip and brotli through node:zlib); column chunks arrive as typed arrays (or JS arrays where values may
 * be missing) and are copied into shared memory as Arrow columns: INT64 as float64, strings
 * dictionary-encoded. The optimiser's filter then runs on the piece.
 * Writing a partition turns each column into the writer's column source (nullable columns as JS
 * arrays with nulls) and writes one file, one row group per `rowGroupSize` rows.
 */
import { writeFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Data, Table } from 'apache-arrow';
import { asyncBufferFromFile, parquetRead } from 'hyparquet';
import type { ColumnData, Compressors } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import type { DType } from '../dtype.js';
import type { Expr } from '../expr.js';
import { tableOf } from './build.js';
import { columnOf, valueAt } from './columns.js';
import { singleBatch } from './concat.js';
import { filterSelect } from './rowwise.js';
import { columnData } from './to-shared.js';

export interface ParquetPieceSpec {
  readonly file: string;
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly columns: readonly string[];
  readonly dtypes: readonly DType[];
  readonly filter: Expr | null;
  readonly select: readonly string[] | null;
}

function assemble(chunks: readonly ColumnData[], start: number, end: number, name: string, dtype: DType): Data {
  const n = end - start;
  const values: unknown[] = new Array<unknown>(n).fill(null);
  let typed: ArrayBufferView | undefined;
  for (const c of chunks) {
    const from = Math.max(start, c.rowStart);
    const to = Math.min(end, c.rowEnd);
    const src = c.columnData;
    if (
      from === start &&
      to === end &&
      ArrayBuffer.isView(src) &&
      chunks.length === 1 &&
      !(src instanceof BigInt64Array) &&
      !(src instanceof BigUint64Array)
    ) {
      typed = (src as unknown as { subarray(a: number, b: number): ArrayBufferView }).subarray(
        from - c.rowStart,
        to - c.rowStart,
      );
      break;
    }
    for (let r = from; r < to; r++) {
      const v: unknown = (src as ArrayLike<unknown>)[r - c.rowStart];
      values[r - start] = typeof v === 'bigint' ? Number(v) : v === undefined ? null : v;
    }
  }
  const Ctor =
    dtype === 'int32'
      ? Int32Array
      : dtype === 'float32'
        ? Float32Array
        : dtype === 'float64'
          ? Float64Array
          : undefined;
  if (typed !== undefined && Ctor !== undefined && typed instanceof Ctor) return columnData(typed, name, dtype);
  return columnData(
    (typed !== undefined ? Array.from(typed as unknown as ArrayLike<unknown>) : values) as (number | null)[],
    name,
    dtype,
  );
}

/** Codecs beyond hyparquet's built-in snappy, from Node's zlib. */
const COMPRESSORS: Compressors = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
};

export async function parquetReadPiece(spec: ParquetPieceSpec): Promise<Table> {
  const file = await asyncBufferFromFile(spec.file);
  const chunks = new Map<string, ColumnData[]>(spec.columns.map((c) => [c, []]));
  await parquetRead({
    file,
    columns: [...spec.columns],
    rowStart: spec.rowStart,
    rowEnd: spec.rowEnd,
    compressors: COMPRESSORS,
    onChunk: (c) => chunks.get(c.columnName)?.push(c),
  });
  const data = spec.columns.map((c, k) => assemble(chunks.get(c)!, spec.rowStart, spec.rowEnd, c, spec.dtypes[k]!));
  const table = tableOf(spec.columns, data, spec.rowEnd - spec.rowStart);
  return spec.filter === null && spec.select === null
    ? table
    : filterSelect({ predicate: spec.filter, columns: spec.select }, table);
}

function source(table: Table, name: string): ColumnSource {
  const c = columnOf(table, name);
  const nullable = c.nullCount > 0;
  if (c.kind === 'num' && !nullable) {
    const d = c.dtype;
    if (d === 'int32') return { name, data: Int32Array.from(c.values), type: 'INT32', nullable: false };
    if (d === 'float32') return { name, data: Float32Array.from(c.values), type: 'FLOAT', nullable: false };
    if (d === 'float64' || d === 'uint32')
      return { name, data: Float64Array.from(c.values), type: 'DOUBLE', nullable: false };
    return { name, data: Int32Array.from(c.values), type: 'INT32', nullable: false };
  }
  const values = Array.from({ length: c.length }, (_, i) => valueAt(c, i));
  if (c.kind === 'str') return { name, data: values, type: 'STRING', nullable: true };
  if (c.kind === 'bool') return { name, data: values, type: 'BOOLEAN', nullable: true };
  const type = c.dtype === 'float32' ? 'FLOAT' : c.dtype === 'float64' || c.dtype === 'uint32' ? 'DOUBLE' : 'INT32';
  return { name, data: values, type, nullable: true };
}

export function parquetWritePart(spec: { readonly path: string; readonly rowGroupSize: number }, table: Table): string {
  const t = singleBatch(table);
  const columnSources = t.schema.fields.map((f) => source(t, f.name));
  const buffer = parquetWriteBuffer({ columnData: columnSources, rowGroupSize: spec.rowGroupSize });
  writeFileSync(spec.path, new Uint8Array(buffer));
  return spec.path;
}

registerModuleFunction(parquetReadPiece, import.meta.url, 'parquetReadPiece');
registerModuleFunction(parquetWritePart, import.meta.url, 'parquetWritePart');
