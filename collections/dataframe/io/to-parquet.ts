/*
 * df.toParquet(dir): one Parquet file per partition (dir/part.0.parquet, ...), written in
 * parallel (plan/nodes/write.ts) with hyparquet-writer (snappy-compressed, with min/max
 * statistics that readParquet's filters use to skip row groups). Computing the write returns the
 * paths written.
 */
import { parquetWritePart } from '../kernels/parquet.js';
import { WriteNode } from '../plan/nodes/write.js';
import type { PlanNode } from '../plan/plan-node.js';
import { partitionPaths } from './to-csv.js';

export interface ToParquetOptions {
  /** Rows per row group; 1,000,000 by default. */
  rowGroupSize?: number;
}

export function toParquet(plan: PlanNode, dir: string, options: ToParquetOptions = {}): WriteNode {
  const { rowGroupSize = 1_000_000 } = options;
  const paths = partitionPaths(dir.includes('*') ? dir : `${dir}/part.*.parquet`, plan.npartitions, 'parquet');
  return new WriteNode(
    plan,
    parquetWritePart,
    paths.map((path) => ({ path, rowGroupSize })),
  );
}
