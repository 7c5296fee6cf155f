/*
 * Scalar: a lazy single value, the result of a Series reduction. Its plan's root has one
 * partition whose value is a number (or a string for min/max of strings, null when undefined);
 * persisted, that value becomes the data node of a ScalarValueNode.
 */
import { SCALAR, isScalar } from './brands.js';
import { ScalarValueNode } from './plan/nodes/scalar-value.js';
import type { PlanNode } from './plan/plan-node.js';
import { PlanCollection } from './plan-collection.js';
import { registerCollection } from './wrap.js';

export type ScalarValue = number | string | boolean | null;

export class Scalar<T extends ScalarValue = number> extends PlanCollection<T> {
  get [SCALAR](): true {
    return true;
  }
  constructor(readonly plan: PlanNode) {
    super();
  }

  static isScalar(value: unknown): value is Scalar<ScalarValue> {
    return isScalar(value);
  }

  __daskPostcompute(values: unknown): T {
    return (values as unknown[])[0] as T;
  }
  __daskPostpersist(values: unknown): Scalar<T> {
    return new Scalar<T>(new ScalarValueNode((values as unknown[])[0]));
  }
}

registerCollection('scalar', (plan) => new Scalar(plan));
