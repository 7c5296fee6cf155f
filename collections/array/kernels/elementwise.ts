/*
 * Fused elementwise kernel: evaluates an Expr (elementwise-expr.ts) over broadcast input chunks
 * into a new C-contiguous chunk, in one pass over memory with no temporaries. For
 * `((x + 1) * 2 - x)` over same-shape float64 chunks the generated kernel is essentially
 *
 *   for (let j = 0; j < n0; j++) { const _0 = a0[j]; const _1 = _0 + 1; const _2 = _1 * 2;
 *                                  const _3 = _2 - _0; out[j] = _3; }
 *
 * The steps: validate the expression (exprKey, which is also part of the cache key), broadcast
 * the input shapes (NumPy rules and error), plan the loops (elementwise-loops.ts: drop extent-1
 * dims, merge contiguous ones; same-shape inputs give one flat loop, a broadcast input a nested
 * loop whose innermost dimension is contiguous or stride 0, read once per row), then look up or
 * compile the kernel for (expression, input dtypes, output dtype, layout pattern) and run it.
 * The kernel source is built only from fixed fragments, validated numbers and generated names.
 */
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { ValueError } from '../../../src/core/errors.js';
import { cStrides, newChunk, type Chunk } from '../chunk.js';
import { checkDType, dtypeOfArray, type DType, type NumericArray } from '../dtype.js';
import { broadcastShapes, broadcastView } from './elementwise-broadcast.js';
import { emitExpr, helperSource, inputBindings, storeCode, type HelperName } from './elementwise-emit.js';
import { exprKey, type Expr } from './elementwise-expr.js';
import {
  at,
  compileKernel,
  emitLoopNest,
  emitParams,
  innerIndex,
  planLoops,
  warmUpArray,
  warmUpLayout,
  type LoopPlan,
} from './elementwise-loops.js';

export { exprInputs, exprKey } from './elementwise-expr.js';
export type { BinaryOp, Expr, UnaryOp } from './elementwise-expr.js';

export interface ElementwiseSpec {
  expr: Expr;
  /** dtype of each input chunk ('bool' chunks are stored as Uint8Array). */
  inputDtypes: DType[];
  outDtype: DType;
}

type ElementwiseKernel = (out: NumericArray, ins: readonly NumericArray[], P: readonly number[]) => void;

/**
 * Checks that `inputs` match `dtypes` (one dtype per chunk, each chunk's typed array of that
 * dtype's kind) and returns the validated dtypes.
 */
export function checkChunkInputs(dtypes: readonly unknown[], inputs: readonly Chunk[]): DType[] {
  if (!Array.isArray(dtypes) || dtypes.length !== inputs.length) {
    throw new ValueError(
      `expected one input dtype per input chunk: ${inputs.length} chunks, ${Array.isArray(dtypes) ? dtypes.length : 'no'} dtypes`,
    );
  }
  return inputs.map((c, k) => {
    const dtype = checkDType(dtypes[k]);
    const stored = dtypeOfArray(c.data);
    if (stored !== (dtype === 'bool' ? 'uint8' : dtype)) {
      throw new ValueError(`input ${k} is declared ${dtype} but holds a ${c.data.constructor.name}`);
    }
    return dtype;
  });
}

/** Applies `spec.expr` to the broadcast `inputs`, giving a new chunk of `spec.outDtype`. */
export function elementwise(spec: ElementwiseSpec, ...inputs: Chunk[]): Chunk {
  const ek = exprKey(spec.expr);
  const dtypes = checkChunkInputs(spec.inputDtypes, inputs);
  const outDtype = checkDType(spec.outDtype);
  const shape = broadcastShapes(inputs.map((c) => c.shape));
  const out = newChunk(outDtype, shape);
  if (out.size === 0) return out;
  const arrays = [...inputs.map((c) => broadcastView(c, shape)), { stride: cStrides(shape), offset: 0 }];
  const plan = planLoops(shape, [], arrays);
  const key = `ew|${ek}|${dtypes.join(',')}|${outDtype}|${plan.pattern}`;
  const kernel = compileKernel<ElementwiseKernel>(
    key,
    () => elementwiseSource(spec.expr, dtypes, outDtype, plan),
    (fn) => warmUp(fn, plan, dtypes, outDtype),
  );
  kernel(
    out.data,
    inputs.map((c) => c.data),
    plan.params,
  );
  return out;
}

function warmUp(fn: ElementwiseKernel, plan: LoopPlan, dtypes: readonly DType[], outDtype: DType): void {
  for (const inner of [37, 3]) {
    const layout = warmUpLayout(plan, inner);
    const ins = dtypes.map((d, k) => warmUpArray(d, layout.lengths[k]!));
    fn(warmUpArray(outDtype, layout.lengths[dtypes.length]!), ins, layout.params);
  }
}

function elementwiseSource(expr: Expr, dtypes: readonly DType[], outDtype: DType, plan: LoopPlan): string {
  const nIn = dtypes.length;
  const last = plan.extents.length - 1;
  const helpers = new Set<HelperName>();
  const body = emitLoopNest(plan, last, (offsets) => {
    const hoisted: string[] = [];
    const load = (k: number): string => {
      if (plan.kinds[k]![last] === 'z') {
        hoisted.push(`const h${k} = a${k}[${offsets[k] === '' ? '0' : offsets[k]!}];`);
        return `h${k}`;
      }
      return `a${k}[${innerIndex(plan, k, offsets[k]!, 'j')}]`;
    };
    const e = emitExpr(expr, { inputDtypes: dtypes, load, prefix: '_', helpers });
    return [
      ...hoisted,
      `for (let j = 0; j < n${last}; j++) {`,
      ...e.lines,
      `out[${at(offsets[nIn]!, 'j')}] = ${storeCode(e.type, outDtype, e.value)};`,
      '}',
    ];
  });
  return [
    ...helperSource(helpers),
    'return function elementwiseKernel(out, ins, P) {',
    ...inputBindings(nIn),
    ...emitParams(plan),
    ...body,
    '};',
  ].join('\n');
}

registerModuleFunction(elementwise, import.meta.url, 'elementwise');
