/*
 * ReadParquetNode: one partition per piece (a row group, or a whole file) of Parquet files whose
 * footers io/read-parquet.ts read. The optimiser's projection becomes hyparquet's column list
 * (only those column chunks are read) and filters become both a row filter on each piece and
 * row-group pruning: a filter that is a conjunction of `column op literal` skips every piece
 * whose min/max statistics rule it out.
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { exprColumns, type CompareOp, type Expr, type Literal } from '../../expr.js';
import { parquetReadPiece, type ParquetPieceSpec } from '../../kernels/parquet.js';
import { derivedToken, PlanNode, type LowerContext } from '../plan-node.js';

export interface Piece {
  readonly file: string;
  readonly rowStart: number;
  readonly rowEnd: number;
  /** Column name → [min, max] from the row group statistics, where known. */
  readonly stats: Readonly<Record<string, readonly [Literal, Literal]>>;
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
