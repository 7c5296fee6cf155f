/*
 * dd.readParquet(path | glob | directory | list, { columns, filters, splitRowGroups }): one
 * partition per row group (default) or per file. The footers are read now (a few KiB per file,
 * synchronously) for the schema, the row groups and their statistics.
 *
 * Parquet types map to dtypes: INT32 int32, INT64 float64 (exact to 2^53), FLOAT float32, DOUBLE
 * float64, BOOLEAN bool, BYTE_ARRAY with a string annotation string; other columns can be read
 * only if left out (`columns`), else a DTypeError names them when they are used.
 *
 * The plan's ReadParquetNode (plan/nodes/read-parquet.ts) reads the pieces and takes the
 * optimiser's projection and filters, with row-group pruning by the statistics. `filters` takes
 * Dask's form, [[column, op, value], ...] (all must hold), and starts as such a filter.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parquetMetadata } from 'hyparquet';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { ValueError } from '../../../src/core/errors.js';
import type { DType, Meta } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { CompareOp, Expr, Literal } from '../expr.js';
import { checkColumns } from '../ops/select.js';
import { ReadParquetNode, type Piece } from '../plan/nodes/read-parquet.js';
import type { PlanNode } from '../plan/plan-node.js';
import { expandPaths } from './glob.js';

export type ParquetFilter = readonly [string, '==' | '=' | '!=' | '<' | '<=' | '>' | '>=', number | string | boolean];

export interface ReadParquetOptions {
  columns?: readonly string[];
  filters?: readonly ParquetFilter[];
  /** One partition per row group (true, default) or per file (false). */
  splitRowGroups?: boolean;
}

function readFooter(path: string): FileMetaData {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = new Uint8Array(8);
    readSync(fd, tail, 0, 8, size - 8);
    const len = new DataView(tail.buffer).getUint32(0, true);
    const buf = new Uint8Array(len + 8);
    readSync(fd, buf, 0, len + 8, size - len - 8);
    return parquetMetadata(buf);
  } catch (e) {
    throw new ValueError(
      `readParquet: cannot read the footer of ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    closeSync(fd);
  }
}

function dtypeOf(el: SchemaElement): DType | undefined {
  switch (el.type) {
    case 'INT32':
      return 'int32';
    case 'INT64':
      return 'float64';
    case 'FLOAT':
      return 'float32';
    case 'DOUBLE':
      return 'float64';
    case 'BOOLEAN':
      return 'bool';
    case 'BYTE_ARRAY':
      return el.converted_type === 'UTF8' || el.logical_type?.type === 'STRING' ? 'string' : undefined;
    default:
      return undefined;
  }
}

function statValue(v: unknown): Literal {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}

function piecesOf(path: string, md: FileMetaData, split: boolean): Piece[] {
  const pieces: Piece[] = [];
  let row = 0;
  for (const rg of md.row_groups) {
    const n = Number(rg.num_rows);
    const stats: Record<string, readonly [Literal, Literal]> = {};
    for (const cc of rg.columns) {
      const st = cc.meta_data?.statistics;
      const name = cc.meta_data?.path_in_schema.join('.');
      if (st === undefined || name === undefined) continue;
      const min = statValue(st.min_value ?? st.min);
      const max = statValue(st.max_value ?? st.max);
      if (min !== null && max !== null && Number(st.null_count ?? 0n) === 0) stats[name] = [min, max];
    }
    pieces.push({ file: path, rowStart: row, rowEnd: row + n, stats });
    row += n;
  }
  if (!split || pieces.length === 0) return [{ file: path, rowStart: 0, rowEnd: Number(md.num_rows), stats: {} }];
  return pieces;
}

const OPS: Readonly<Record<ParquetFilter[1], CompareOp>> = {
  '==': 'eq',
  '=': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
};

export function readParquet(path: string | readonly string[], options: ReadParquetOptions = {}): PlanNode {
  const files = expandPaths(path, 'readParquet');
  const footers = files.map((f) => readFooter(f));
  const leaves = footers[0]!.schema.slice(1);
  const schema: Meta = leaves.map((el) => ({ name: el.name, dtype: dtypeOf(el) ?? ('unsupported' as DType) }));
  const pieces = files.flatMap((f, i) => piecesOf(f, footers[i]!, options.splitRowGroups ?? true));
  const selected = options.columns === undefined ? schema.map((c) => c.name) : [...options.columns];
  checkColumns(selected, schema, 'readParquet');
  for (const name of selected) {
    const c = schema.find((m) => m.name === name)!;
    if ((c.dtype as string) === 'unsupported')
      throw new DTypeError(
        `readParquet: column '${name}' has a Parquet type a DataFrame does not hold; leave it out with { columns }`,
        name,
        'unsupported',
      );
  }
  let predicate: Expr | null = null;
  for (const [column, op, value] of options.filters ?? []) {
    const opName = OPS[op];
    if (opName === undefined) throw new ValueError(`readParquet: unknown filter operator '${String(op)}'`);
    checkColumns([column], schema, 'readParquet filters');
    const term: Expr = { op: opName, a: { op: 'col', name: column }, b: { op: 'lit', value } };
    predicate = predicate === null ? term : { op: 'and', a: predicate, b: term };
  }
  const node = new ReadParquetNode(
    pieces,
    schema.filter((c) => (c.dtype as string) !== 'unsupported' || selected.includes(c.name)),
    selected,
    null,
  );
  return predicate === null ? node : node.withFilter(predicate);
}
