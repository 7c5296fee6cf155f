/*
 * df.toCsv(dirOrPattern): one CSV file per partition, written in parallel (plan/nodes/write.ts).
 * A target with a `*` is a pattern (the `*` becomes the partition number, as in Dask:
 * 'out/part-*.csv'); otherwise it is a directory (created if needed) receiving 0.csv, 1.csv, ...
 * Computing the write returns the paths written.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValueError } from '../../../src/core/errors.js';
import { csvWritePart } from '../kernels/csv-write.js';
import { WriteNode } from '../plan/nodes/write.js';
import type { PlanNode } from '../plan/plan-node.js';

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

export function toCsv(plan: PlanNode, target: string, options: ToCsvOptions = {}): WriteNode {
  const { sep = ',' } = options;
  const specs = partitionPaths(target, plan.npartitions, 'csv').map((path) => ({ path, sep }));
  return new WriteNode(plan, csvWritePart, specs);
}
