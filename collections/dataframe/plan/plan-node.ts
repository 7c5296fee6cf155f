/*
 * The logical plan behind every DataFrame, Series and Scalar. Each operation adds one PlanNode
 * (inputs, output columns `meta`, partition count); nothing is computed and no task exists yet.
 *
 * A collection hands compute() one PlanLayer: a HighLevelGraph layer holding its plan's root.
 * Materialising that layer as it is lowers the plan straight to tasks (what compute does with
 * `optimize: false`). The DataFrame optimiser (optimize.ts) instead gathers the roots of every
 * PlanLayer it is given, rewrites the plans together (filters pushed into readers, only the
 * columns consumers use read), then lowers them. Lowering asks each node for its tasks once
 * (memoised per node), and a node's partitions live under `name[i]`, its name being
 * `kind-token`. A node rebuilt over new inputs keeps its token (its output is the same); a node
 * that outputs fewer columns or rows than before (a projected or filtered reader) gets a new one.
 *
 * A node also says what its partitions hold (`output`): table partitions of a frame, the one
 * value of a scalar, or the paths a write returns. wrap.ts picks the collection by it.
 *
 * Everything under plan/ (the nodes in nodes/, the optimiser, lineage) imports only plan/,
 * kernels/, expr, dtype, errors and src/core: never an op or a collection class, so the ops
 * (plan, args) → node and the classes above them import the plan without import cycles.
 */
import type { Layer } from '../../../src/core/graph/high-level-graph.js';
import { key, tokenKey, uniqueToken } from '../../../src/core/graph/keys.js';
import type { Graph, Key } from '../../../src/core/graph/task.js';
import { tokenize } from '../../../src/core/graph/tokenize.js';
import type { Meta } from '../dtype.js';

/** What a node's partitions hold: tables (a DataFrame), one value (a Scalar), written paths. */
export type PlanOutput = 'frame' | 'scalar' | 'files';

/** Column sets: `undefined` stands for every column. */
export type Columns = ReadonlySet<string> | undefined;

export interface LowerContext {
  readonly graph: Graph;
  /** The keys of `node`'s partitions, lowering it first if it was not yet. */
  keys(node: PlanNode): readonly Key[];
}

export abstract class PlanNode {
  abstract readonly kind: string;
  abstract readonly inputs: readonly PlanNode[];
  abstract readonly meta: Meta;
  abstract readonly npartitions: number;
  readonly output: PlanOutput = 'frame';
  readonly token: string;
  private cachedName: string | undefined;

  constructor(token?: string) {
    this.token = token ?? uniqueToken();
  }

  get name(): string {
    return (this.cachedName ??= tokenKey(this.kind, this.token));
  }

  get columns(): string[] {
    return this.meta.map((c) => c.name);
  }

  keys(): Key[] {
    const out: Key[] = [];
    for (let i = 0; i < this.npartitions; i++) out.push(key(this.name, i));
    return out;
  }

  /** The columns each input must provide so this node can produce `required`. Default: all. */
  inputColumns(_required: ReadonlySet<string>): Columns[] {
    return this.inputs.map(() => undefined);
  }

  /** This node over new inputs (same token: same output). */
  abstract withInputs(inputs: readonly PlanNode[]): PlanNode;

  /** A node producing only `columns` (in meta order), or undefined when this node cannot. */
  project(_columns: ReadonlySet<string>): PlanNode | undefined {
    return undefined;
  }

  /** Adds the tasks of this node's partitions (keys `name[i]`) to ctx.graph. */
  abstract lower(ctx: LowerContext): void;
}

/** Lowers the plans of `roots` into `graph`, each node once. */
export function lowerPlans(roots: readonly PlanNode[], graph: Graph): void {
  const done = new Set<PlanNode>();
  const names = new Set<string>();
  const ctx: LowerContext = {
    graph,
    keys(node: PlanNode): readonly Key[] {
      if (!done.has(node)) {
        done.add(node);
        if (!names.has(node.name)) {
          names.add(node.name);
          node.lower(ctx);
        }
      }
      return node.keys();
    },
  };
  for (const r of roots) ctx.keys(r);
}

/** The layer a DataFrame, Series or Scalar gives compute(): its plan's root. */
export class PlanLayer implements Layer {
  readonly name: string;
  readonly dependencies: readonly string[] = [];
  constructor(readonly root: PlanNode) {
    this.name = root.name;
  }
  outputKeys(): Iterable<Key> {
    return this.root.keys();
  }
  materialize(into: Graph): void {
    lowerPlans([this.root], into);
  }
}

/** A token derived from a node's token and what changed: deterministic, so equal rewrites share keys. */
export function derivedToken(token: string, what: unknown): string {
  return tokenize(token, what);
}

/**
 * A node over one input whose columns are the input's (it changes rows or partitions, not
 * columns): `inputs` is [input] and `meta` the input's, unless a subclass says otherwise.
 */
export abstract class UnaryPlanNode extends PlanNode {
  readonly inputs: readonly PlanNode[];
  constructor(
    readonly input: PlanNode,
    token?: string,
  ) {
    super(token);
    this.inputs = [input];
  }
  get meta(): Meta {
    return this.input.meta;
  }
}
