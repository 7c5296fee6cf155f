/*
 * df.toCsv(dirOrPattern): one CSV file per partition, written in parallel. A target with a `*`
 * is a pattern (the `*` becomes the partition number, as in Dask: 'out/part-*.csv'); otherwise it
 * is a directory (created if needed) receiving 0.csv, 1.csv, ... Returns the paths written.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ComputeOptions } from '../../../src/core/compute.js';
import { ValueError } from '../../../src/core/errors.js';
import { csvWritePart } from '../kernels/csv-write.js';
import type { DataFrame } from '../dataframe.js';
import { WriteNode, writeFiles } from './write-node.js';

export interface ToCsvOptions {
  sep?: string;
}

export function partitionPaths(target: string, n: number, ext: string): string[] {
  const abs = resolve(target);
  if (abs.includes('*')) {
    if (abs.indexOf('*') !== abs.lastIndexOf('*'))
      throw new ValueError(`the output pattern ${target} must hold one '*'`);
    mkdirSync(dirname(abs), { recursive: true });
    return Array.from({ length: n }, (_, i) => abs.replace('*', String(i)));
  }
  mkdirSync(abs, { recursive: true });
  return Array.from({ length: n }, (_, i) => join(abs, `${i}.${ext}`));
}

export function toCsv(df: DataFrame, target: string, options: ToCsvOptions & ComputeOptions = {}): Promise<string[]> {
  const { sep = ',', ...compute } = options;
  const specs = partitionPaths(target, df.npartitions, 'csv').map((path) => ({ path, sep }));
  return writeFiles(new WriteNode(df.plan, csvWritePart, specs), compute);
}
