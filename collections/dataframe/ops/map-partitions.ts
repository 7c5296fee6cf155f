/*
 * df.mapPartitions(fn, { meta }): fn applied to every partition (an Arrow Table in, a Table or a
 * {column: values} record out). fn ships to workers like a Delayed function: a self-contained
 * lambda by its source, an exported function by module reference (pass `module: import.meta.url`).
 * The output columns (`meta`) are given, or found by calling fn once on an empty partition here.
 */
import type { DataType, Table } from 'apache-arrow';
import { ValueError } from '../../../src/core/errors.js';
import type { TaskFunction } from '../../../src/core/graph/task.js';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { dtypeOfArrow, isDType, typeName, type DType, type Meta } from '../dtype.js';
import { emptyTable } from '../kernels/build.js';
import { asTable } from '../kernels/partitions.js';
import { MapPartitionsNode } from '../plan/nodes/map-partitions.js';
import type { PlanNode } from '../plan/plan-node.js';

export interface MapPartitionsOptions {
  /** Output columns and dtypes, in order; found by running fn on an empty partition if omitted. */
  meta?: Readonly<Record<string, DType>>;
  /** Ship fn as an export of this module (usually import.meta.url). */
  module?: string;
  /** The export name, when it differs from fn.name. */
  export?: string;
}

function inferMeta(fn: (t: Table) => Table, input: Meta): Meta {
  let out: Table;
  try {
    out = asTable(fn(emptyTable(input)), []);
  } catch (e) {
    throw new ValueError(
      `mapPartitions could not find the output columns by calling the function on an empty partition (${e instanceof Error ? e.message : String(e)}); pass { meta: { column: dtype } }`,
    );
  }
  return out.schema.fields.map((f) => {
    const dtype = dtypeOfArrow(f.type as DataType);
    if (dtype === undefined)
      throw new ValueError(
        `mapPartitions: output column '${f.name}' has an unsupported type ${typeName(f.type as DataType)}`,
      );
    return { name: f.name, dtype };
  });
}

export function mapPartitions(
  plan: PlanNode,
  fn: (t: Table) => Table,
  options: MapPartitionsOptions = {},
): MapPartitionsNode {
  if (typeof fn !== 'function') throw new ValueError('mapPartitions takes a function (table) => table');
  if (options.module !== undefined)
    registerModuleFunction(fn as TaskFunction, options.module, options.export ?? fn.name);
  let meta: Meta;
  if (options.meta !== undefined) {
    meta = Object.entries(options.meta).map(([name, dtype]) => {
      if (!isDType(dtype))
        throw new ValueError(`mapPartitions: meta column '${name}' has unknown dtype '${String(dtype)}'`);
      return { name, dtype };
    });
  } else meta = inferMeta(fn, plan.meta);
  return new MapPartitionsNode(plan, fn as TaskFunction, meta);
}
