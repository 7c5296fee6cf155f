/*
 * The plans of frames made from data in memory: fromColumns (typed arrays and JS arrays),
 * fromArrow (an Arrow table) and fromRecords (row objects). The data becomes one Arrow table in
 * shared memory, then is cut into `npartitions` row ranges of near-equal size: slices that share
 * its buffers, held by the graph as data nodes (plan/nodes/from-tables.ts). constructors.ts
 * makes the DataFrames.
 */
import type { DataType, Table } from 'apache-arrow';
import { ValueError } from '../../../src/core/errors.js';
import { dtypeOfArrow, type DType, type Meta } from '../dtype.js';
import { tableOf } from '../kernels/build.js';
import { columnData, inferDType, sharedTable, type ColumnInput } from '../kernels/to-shared.js';
import { FromTablesNode } from '../plan/nodes/from-tables.js';

export interface FromOptions {
  /** Number of partitions (row ranges of near-equal size); 1 by default. */
  npartitions?: number;
}

export function metaOf(table: Table): Meta {
  return table.schema.fields.map((f) => ({ name: f.name, dtype: dtypeOfArrow(f.type as DataType)! }));
}

/** Row ranges of `n` rows cut into `parts` near-equal pieces. */
export function rowRanges(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < parts; i++) out.push([Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)]);
  return out;
}

function npartitionsOf(options: FromOptions, rows: number): number {
  const np = options.npartitions ?? 1;
  if (!Number.isInteger(np) || np < 1)
    throw new ValueError(`npartitions must be a positive integer, got ${String(np)}`);
  return Math.max(1, Math.min(np, Math.max(rows, 1)));
}

export function fromSharedTable(table: Table, options: FromOptions): FromTablesNode {
  const np = npartitionsOf(options, table.numRows);
  const parts = rowRanges(table.numRows, np).map(([a, b]) => table.slice(a, b));
  return new FromTablesNode(parts, metaOf(table));
}

export function fromArrow(table: Table, options: FromOptions = {}): FromTablesNode {
  return fromSharedTable(sharedTable(table), options);
}

export function fromColumns(
  columns: Readonly<Record<string, ColumnInput>>,
  options: FromOptions & { dtypes?: Readonly<Record<string, DType>> } = {},
): FromTablesNode {
  const names = Object.keys(columns);
  const lengths = names.map((n) => columns[n]!.length);
  if (lengths.some((l) => l !== lengths[0])) {
    throw new ValueError(
      `fromColumns: columns have different lengths (${names.map((n, i) => `${n}: ${lengths[i]}`).join(', ')})`,
    );
  }
  const data = names.map((n) => columnData(columns[n]!, n, options.dtypes?.[n]));
  return fromSharedTable(tableOf(names, data, lengths[0] ?? 0), options);
}

export function fromRecords(
  rows: readonly Readonly<Record<string, unknown>>[],
  options: FromOptions & { columns?: readonly string[] } = {},
): FromTablesNode {
  const names = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns: Record<string, ColumnInput> = {};
  for (const name of names) {
    const values = rows.map((r) => r[name] ?? null);
    inferDType(values, name);
    columns[name] = values as ColumnInput;
  }
  return fromColumns(columns, options);
}
