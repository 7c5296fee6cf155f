/*
 * ReadCsvNode: one partition per byte-range block of every file of a CSV source whose header and
 * dtypes io/read-csv.ts found. Blocks are parsed in parallel (kernels/csv-parse.ts); blocks after
 * the first of a file depend on small scans of the blocks before them, which locate quoted
 * newlines and count lines. The node takes the optimiser's projection (only the columns consumers
 * use are built) and filters (applied to each block as soon as it is parsed).
 */
import { key } from '../../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../../src/core/graph/task.js';
import type { DType, Meta } from '../../dtype.js';
import { exprColumns, type Expr } from '../../expr.js';
import { csvParseBlock, csvScan, type CsvBlockSpec } from '../../kernels/csv-parse.js';
import { derivedToken, PlanNode, type LowerContext } from '../plan-node.js';

export interface CsvFile {
  readonly path: string;
  readonly size: number;
}

export interface CsvSource {
  readonly files: readonly CsvFile[];
  readonly blocksize: number;
  readonly sep: number;
  readonly names: readonly string[];
  readonly dtypes: readonly DType[];
}

export class ReadCsvNode extends PlanNode {
  readonly kind = 'read-csv';
  readonly inputs: readonly PlanNode[] = [];
  readonly meta: Meta;
  readonly npartitions: number;
  private readonly blocks: readonly (readonly [number, number, number])[];
  constructor(
    readonly source: CsvSource,
    readonly selected: readonly string[],
    readonly predicate: Expr | null,
    token?: string,
  ) {
    super(token);
    this.meta = selected.map((name) => ({ name, dtype: source.dtypes[source.names.indexOf(name)]! }));
    const blocks: [number, number, number][] = [];
    source.files.forEach((f, i) => {
      const n = Math.max(1, Math.ceil(f.size / source.blocksize));
      for (let b = 0; b < n; b++) blocks.push([i, b * source.blocksize, Math.min(f.size, (b + 1) * source.blocksize)]);
    });
    this.blocks = blocks;
    this.npartitions = blocks.length;
  }
  withInputs(): PlanNode {
    return this;
  }
  override project(columns: ReadonlySet<string>): PlanNode | undefined {
    const kept = this.selected.filter((c) => columns.has(c));
    if (kept.length === this.selected.length) return undefined;
    return new ReadCsvNode(
      this.source,
      kept.length === 0 ? this.selected.slice(0, 1) : kept,
      this.predicate,
      derivedToken(this.token, ['project', kept]),
    );
  }
  withFilter(predicate: Expr): PlanNode {
    const both: Expr = this.predicate === null ? predicate : { op: 'and', a: this.predicate, b: predicate };
    return new ReadCsvNode(this.source, this.selected, both, derivedToken(this.token, ['filter', both]));
  }
  lower(ctx: LowerContext): void {
    const parse = new Set(this.selected);
    if (this.predicate !== null) exprColumns(this.predicate, parse);
    const src = this.source;
    const fileOrder = src.names.filter((n) => parse.has(n));
    const reorder = parse.size > this.selected.length || fileOrder.some((n, i) => n !== this.selected[i]);
    const scans = new Map<string, TaskRef>();
    this.blocks.forEach(([f, start, end], i) => {
      const file = src.files[f]!;
      const before: TaskRef[] = [];
      for (let s = 0; s < start; s += src.blocksize) {
        const sk = key(`${this.name}-scan`, f, s / src.blocksize);
        if (!scans.has(sk)) {
          ctx.graph.set(
            sk,
            new Task(sk, csvScan, [{ file: file.path, start: s, end: Math.min(file.size, s + src.blocksize) }]),
          );
          scans.set(sk, new TaskRef(sk));
        }
        before.push(scans.get(sk)!);
      }
      const spec: CsvBlockSpec = {
        file: file.path,
        start,
        end,
        size: file.size,
        sep: src.sep,
        header: true,
        names: src.names,
        dtypes: src.dtypes,
        parse: fileOrder,
        filter: this.predicate,
        select: reorder ? this.selected : null,
      };
      ctx.graph.set(key(this.name, i), new Task(key(this.name, i), csvParseBlock, [spec, before]));
    });
  }
}
