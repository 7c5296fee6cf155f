/*
 * ScalarValueNode: a value already computed, as the one partition of a persisted Scalar (a data
 * node in the graph).
 */
import { key } from '../../../../src/core/graph/keys.js';
import { DataNode } from '../../../../src/core/graph/task.js';
import type { Meta } from '../../dtype.js';
import { PlanNode, type LowerContext } from '../plan-node.js';

export class ScalarValueNode extends PlanNode {
  readonly kind = 'scalar';
  readonly inputs: readonly PlanNode[] = [];
  readonly meta: Meta = [];
  readonly npartitions = 1;
  override readonly output = 'scalar';
  constructor(readonly value: unknown) {
    super();
  }
  withInputs(): PlanNode {
    return this;
  }
  lower(ctx: LowerContext): void {
    ctx.graph.set(key(this.name, 0), new DataNode(key(this.name, 0), this.value));
  }
}
