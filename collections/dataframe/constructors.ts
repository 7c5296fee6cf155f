/*
 * The functions that make a DataFrame from data or files (API.md: fromColumns, fromArrow,
 * fromRecords, readCsv, readParquet). Each builds its source plan node (ops/from-tables.ts,
 * io/read-csv.ts, io/read-parquet.ts) and makes it a DataFrame. This module sits above the
 * classes and imports DataFrame itself, so once a program has made a frame every collection class
 * is registered with wrap (wrap.ts).
 */
import type { Table } from 'apache-arrow';
import { DataFrame } from './dataframe.js';
import type { DType } from './dtype.js';
import * as csv from './io/read-csv.js';
import * as parquet from './io/read-parquet.js';
import type { ColumnInput } from './kernels/to-shared.js';
import * as tables from './ops/from-tables.js';

export function fromArrow(table: Table, options: tables.FromOptions = {}): DataFrame {
  return new DataFrame(tables.fromArrow(table, options));
}

export function fromColumns(
  columns: Readonly<Record<string, ColumnInput>>,
  options: tables.FromOptions & { dtypes?: Readonly<Record<string, DType>> } = {},
): DataFrame {
  return new DataFrame(tables.fromColumns(columns, options));
}

export function fromRecords(
  rows: readonly Readonly<Record<string, unknown>>[],
  options: tables.FromOptions & { columns?: readonly string[] } = {},
): DataFrame {
  return new DataFrame(tables.fromRecords(rows, options));
}

export function readCsv(path: string | readonly string[], options: csv.ReadCsvOptions = {}): DataFrame {
  return new DataFrame(csv.readCsv(path, options));
}

export function readParquet(path: string | readonly string[], options: parquet.ReadParquetOptions = {}): DataFrame {
  return new DataFrame(parquet.readParquet(path, options));
}
