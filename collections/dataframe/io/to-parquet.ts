/*
 * df.toParquet(dir): one Parquet file per partition (dir/part.0.parquet, ...), written in
 * parallel with hyparquet-writer (snappy-compressed, with min/max statistics that readParquet's
 * filters use to skip row groups). Returns the paths written.
 */
import type { ComputeOptions } from '../../../src/core/compute.js';
import { parquetWritePart } from '../kernels/parquet.js';
import type { DataFrame } from '../dataframe.js';
import { partitionPaths } from './to-csv.js';
import { WriteNode, writeFiles } from './write-node.js';

export interface ToParquetOptions {
  /** Rows per row group; 1,000,000 by default. */
  rowGroupSize?: number;
}

export function toParquet(
  df: DataFrame,
  dir: string,
  options: ToParquetOptions & ComputeOptions = {},
): Promise<string[]> {
  const { rowGroupSize = 1_000_000, ...compute } = options;
  const paths = partitionPaths(dir.includes('*') ? dir : `${dir}/part.*.parquet`, df.npartitions, 'parquet');
  return writeFiles(
    new WriteNode(
      df.plan,
      parquetWritePart,
      paths.map((path) => ({ path, rowGroupSize })),
    ),
    compute,
  );
}
