/*
 * dd.readParquet(path | glob | directory | list, { columns, filters, splitRowGroups }): one
 * partition per row group (default) or per file. The footers are read now (a few KiB per file,
 * synchronously) for the schema, the row groups and their statistics.
 *
 * Parquet types map to dtypes: INT32 int32, INT64 float64 (exact to 2^53), FLOAT float32, DOUBLE
 * float64, BOOLEAN bool, BYTE_ARRAY with a string annotation string; other columns can be read
 * only if left out (`columns`), else a DTypeError names them when they are used.
 *
 * The optimiser's projection becomes hyparquet's column list (only those column chunks are read)
 * and filters become both a row filter on each piece and row-group pruning: a filter that is a
 * conjunction of `column op literal` skips every row group whose min/max statistics rule it out.
 * `filters` takes Dask's form, [[column, op, value], ...] (all must hold).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parquetMetadata } from 'hyparquet';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { ValueError } from '../../../src/core/errors.js';
import { key } from '../../../src/core/graph/keys.js';
import { Task } from '../../../src/core/graph/task.js';
import { DTypeError } from '../errors.js';
import type { DType, Meta } from '../dtype.js';
import { exprColumns, type CompareOp, type Expr, type Literal } from '../expr.js';
import { parquetReadPiece, type ParquetPieceSpec } from '../kernels/parquet.js';
import { derivedToken, PlanNode, type LowerContext } from '../plan/plan-node.js';
import { DataFrame } from '../dataframe.js';
import { checkColumns } from '../ops/select.js';
import { expandPaths } from './glob.js';

export type ParquetFilter = readonly [string, '==' | '=' | '!=' | '<' | '<=' | '>' | '>=', number | string | boolean];

export interface ReadParquetOptions {
  columns?: readonly string[];
  filters?: readonly ParquetFilter[];
  /** One partition per row group (true, default) or per file (false). */
  splitRowGroups?: boolean;
}

interface Piece {
  readonly file: string;
  readonly rowStart: number;
  readonly rowEnd: number;
  /** Column name → [min, max] from the row group statistics, where known. */
  readonly stats: Readonly<Record<string, readonly [Literal, Literal]>>;
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

/** The `column op literal` terms of a conjunction. */
function terms(e: Expr, out: { column: string; op: CompareOp; value: Literal }[]): void {
  if (e.op === 'and') {
    terms(e.a, out);
    terms(e.b, out);
  } else if (
    (e.op === 'gt' || e.op === 'ge' || e.op === 'lt' || e.op === 'le' || e.op === 'eq') &&
    e.a.op === 'col' &&
    e.b.op === 'lit'
  ) {
    out.push({ column: e.a.name, op: e.op, value: e.b.value });
  }
}

/** False when the statistics prove no row of the piece can pass. */
export function mayMatch(piece: Piece, predicate: Expr): boolean {
  const ts: { column: string; op: CompareOp; value: Literal }[] = [];
  terms(predicate, ts);
  for (const t of ts) {
    const s = piece.stats[t.column];
    if (s === undefined || t.value === null || typeof t.value !== typeof s[0]) continue;
    const [min, max] = s as [number | string, number | string];
    const v = t.value as number | string;
    const impossible =
      (t.op === 'gt' && max <= v) ||
      (t.op === 'ge' && max < v) ||
      (t.op === 'lt' && min >= v) ||
      (t.op === 'le' && min > v) ||
      (t.op === 'eq' && (v < min || v > max));
    if (impossible) return false;
  }
  return true;
}

export class ReadParquetNode extends PlanNode {
  readonly kind = 'read-parquet';
  readonly inputs: readonly PlanNode[] = [];
  readonly meta: Meta;
  readonly npartitions: number;
  constructor(
    readonly pieces: readonly Piece[],
    readonly schema: Meta,
    readonly selected: readonly string[],
    readonly predicate: Expr | null,
    token?: string,
  ) {
    super(token);
    this.meta = selected.map((name) => schema.find((c) => c.name === name)!);
    this.npartitions = pieces.length;
  }
  withInputs(): PlanNode {
    return this;
  }
  override project(columns: ReadonlySet<string>): PlanNode | undefined {
    const kept = this.selected.filter((c) => columns.has(c));
    if (kept.length === this.selected.length) return undefined;
    return new ReadParquetNode(
      this.pieces,
      this.schema,
      kept.length === 0 ? this.selected.slice(0, 1) : kept,
      this.predicate,
      derivedToken(this.token, ['project', kept]),
    );
  }
  withFilter(predicate: Expr): PlanNode {
    const both: Expr = this.predicate === null ? predicate : { op: 'and', a: this.predicate, b: predicate };
    return new ReadParquetNode(
      this.pieces,
      this.schema,
      this.selected,
      both,
      derivedToken(this.token, ['filter', both]),
    );
  }
  /** Pieces the statistics cannot rule out (for tests and explain). */
  get readPieces(): number {
    const p = this.predicate;
    return p === null ? this.pieces.length : this.pieces.filter((x) => mayMatch(x, p)).length;
  }
  lower(ctx: LowerContext): void {
    const read = new Set(this.selected);
    if (this.predicate !== null) exprColumns(this.predicate, read);
    const columns = this.schema.map((c) => c.name).filter((n) => read.has(n));
    const dtypes = columns.map((n) => this.schema.find((c) => c.name === n)!.dtype);
    this.pieces.forEach((p, i) => {
      const skip = this.predicate !== null && !mayMatch(p, this.predicate);
      const spec: ParquetPieceSpec = {
        file: p.file,
        rowStart: p.rowStart,
        rowEnd: skip ? p.rowStart : p.rowEnd,
        columns,
        dtypes,
        filter: this.predicate,
        select:
          columns.length === this.selected.length && columns.every((c, k) => c === this.selected[k])
            ? null
            : this.selected,
      };
      ctx.graph.set(key(this.name, i), new Task(key(this.name, i), parquetReadPiece, [spec]));
    });
  }
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

export function readParquet(path: string | readonly string[], options: ReadParquetOptions = {}): DataFrame {
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
  return new DataFrame(predicate === null ? node : node.withFilter(predicate));
}
