/*
 * Small partition kernels: keep-first deduplication (factorize the subset columns with missing
 * equal to missing, keep each group's first row, in row order), a piece of a partition cut into
 * k near-equal row ranges (repartition), and the check that a user's mapPartitions function gave
 * back a table of the promised columns (asTable: a plain {column: array} record is turned into a
 * table, since a shipped lambda cannot import apache-arrow on a worker).
 */
import { Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import type { Meta } from '../dtype.js';
import { tableOf } from './build.js';
import { columnOf } from './columns.js';
import { concatTables, singleBatch } from './concat.js';
import { factorize, firstRows } from './factorize.js';
import { takeTable } from './take.js';
import { columnData, type ColumnInput } from './to-shared.js';

export function dedupeRows(spec: { readonly subset: readonly string[] }, table: Table): Table {
  const t = singleBatch(table);
  if (t.numRows === 0) return t;
  const f = factorize(
    spec.subset.map((c) => [columnOf(t, c)]),
    false,
  );
  const first = firstRows(f.codes[0]!, f.ngroups);
  if (first.length === t.numRows) return t;
  first.sort();
  return takeTable(t, first);
}

export function dedupeCombine(spec: { readonly subset: readonly string[] }, tables: readonly Table[]): Table {
  return dedupeRows(spec, concatTables(tables));
}

/** Piece p of k near-equal row ranges of a partition. */
export function slicePiece(p: number, k: number, table: Table): Table {
  const n = table.numRows;
  return singleBatch(table.slice(Math.floor((p * n) / k), Math.floor(((p + 1) * n) / k)));
}

/** A user function's result as a partition with the promised columns. */
export function asTable(value: unknown, meta: Meta): Table {
  let t: Table;
  if (Table.isTable(value) || value instanceof Table) t = value;
  else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const rec = value as Record<string, ColumnInput>;
    const names = Object.keys(rec);
    t = tableOf(
      names,
      names.map((n) => columnData(rec[n]!, n, meta.find((c) => c.name === n)?.dtype)),
    );
  } else
    throw new Error(
      `a mapPartitions function must return an Arrow Table or a {column: values} record, got ${value === null ? 'null' : typeof value}`,
    );
  const names = t.schema.fields.map((f) => f.name);
  const missing = meta.filter((c) => !names.includes(c.name)).map((c) => c.name);
  if (missing.length > 0)
    throw new Error(
      `a mapPartitions function returned columns [${names.join(', ')}] without ${missing.join(', ')} promised by its meta`,
    );
  return singleBatch(t);
}

registerModuleFunction(dedupeRows, import.meta.url, 'dedupeRows');
registerModuleFunction(dedupeCombine, import.meta.url, 'dedupeCombine');
registerModuleFunction(slicePiece, import.meta.url, 'slicePiece');
registerModuleFunction(asTable, import.meta.url, 'asTable');
