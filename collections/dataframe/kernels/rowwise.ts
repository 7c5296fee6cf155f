/*
 * Partition-at-a-time kernels for the row-wise operations: column selection (no copy: the
 * selected columns' Data nodes are reused), filtering (the predicate evaluated to a mask, then one
 * gather of the kept rows; a mask keeping every row returns the partition itself) and assignment
 * (each expression evaluated to a new column, replacing or appending). Columns a spec names but a
 * partition lacks are skipped only where the optimiser may have pruned them (select); expressions
 * always find their columns, since the optimiser keeps what they read.
 */
import type { Data, Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import type { Expr } from '../expr.js';
import { tableOf } from './build.js';
import { singleBatch } from './concat.js';
import { evalMask, evalToData } from './eval-expr.js';
import { takeTable } from './take.js';

function columnsOf(table: Table): { names: string[]; data: Data[] } {
  const t = singleBatch(table);
  const batch = t.batches[0]!;
  return { names: t.schema.fields.map((f) => f.name), data: [...batch.data.children] };
}

/** The partition with only `columns` (in that order; absent ones are skipped). */
export function selectColumns(spec: { readonly columns: readonly string[] }, table: Table): Table {
  const { names, data } = columnsOf(table);
  const keep = spec.columns.filter((c) => names.includes(c));
  return tableOf(
    keep,
    keep.map((c) => data[names.indexOf(c)]!),
    table.numRows,
  );
}

/** Indices of the rows where mask is 1. */
export function maskIndices(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < mask.length; i++) if (mask[i] === 1) out[j++] = i;
  return out;
}

export function filterRows(spec: { readonly predicate: Expr }, table: Table): Table {
  const t = singleBatch(table);
  const idx = maskIndices(evalMask(spec.predicate, t));
  return idx.length === t.numRows ? t : takeTable(t, idx);
}

export function assignColumns(
  spec: { readonly names: readonly string[]; readonly exprs: readonly Expr[] },
  table: Table,
): Table {
  const t = singleBatch(table);
  const { names, data } = columnsOf(t);
  spec.names.forEach((name, k) => {
    const d = evalToData(spec.exprs[k]!, t);
    const at = names.indexOf(name);
    if (at >= 0) data[at] = d;
    else {
      names.push(name);
      data.push(d);
    }
  });
  return tableOf(names, data, t.numRows);
}

/** Filter, then select: what a reader does after parsing, when the optimiser pushed both into it. */
export function filterSelect(
  spec: { readonly predicate: Expr | null; readonly columns: readonly string[] | null },
  table: Table,
): Table {
  const filtered = spec.predicate === null ? table : filterRows({ predicate: spec.predicate }, table);
  return spec.columns === null ? filtered : selectColumns({ columns: spec.columns }, filtered);
}

registerModuleFunction(selectColumns, import.meta.url, 'selectColumns');
registerModuleFunction(filterRows, import.meta.url, 'filterRows');
registerModuleFunction(assignColumns, import.meta.url, 'assignColumns');
registerModuleFunction(filterSelect, import.meta.url, 'filterSelect');
