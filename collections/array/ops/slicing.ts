/*
 * NumPy basic indexing: integers (drop the axis), slices start:stop:step (negative values count
 * from the end; negative steps walk backwards), '...' and missing trailing axes (whole axis).
 * Written as a string ('2:10, ::-2', '-1, ...') or as arguments (numbers, [start, stop, step]
 * triples with null for defaults, '...').
 *
 * Each axis's selection is normalised to (start, step, count) with NumPy's rules. An output block
 * is the selected part of one input block, in the order the step walks (so a negative step
 * reverses the block order); empty parts are dropped. Every output block is one sliceChunk task.
 * Slicing a slice composes the two selections first (start' = start + step * start2, ...), so
 * chained slices read the original blocks once.
 */
import { ValueError } from '../../../src/core/errors.js';
import { HighLevelGraph, MaterializedLayer } from '../../../src/core/graph/high-level-graph.js';
import { key, uniqueToken } from '../../../src/core/graph/keys.js';
import { Task, TaskRef } from '../../../src/core/graph/task.js';
import { ArrayExpr } from '../array-expr.js';
import { sliceChunk } from '../kernels/copy.js';
import { offsetsOf } from '../normalize-chunks.js';

export type IndexInput = number | string | readonly [number | null, (number | null)?, (number | null)?] | null;

/** A normalised selection along one axis: `count` elements start, start+step, ... or one integer. */
export interface AxisSelection {
  readonly start: number;
  readonly step: number;
  readonly count: number;
  readonly drop: boolean;
}

type Item =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { kind: 'ellipsis' };

function parseNumber(text: string, what: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const v = Number(t);
  if (!Number.isInteger(v))
    throw new ValueError(`invalid index ${what}: ${JSON.stringify(text)}; use integers like '2:10, ::-1'`);
  return v;
}

function parseString(text: string): Item[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part): Item => {
    const p = part.trim();
    if (p === '...') return { kind: 'ellipsis' };
    if (!p.includes(':')) return { kind: 'int', value: parseNumber(p, 'integer') ?? NaN };
    const bits = p.split(':');
    if (bits.length > 3) throw new ValueError(`invalid slice ${JSON.stringify(p)}; use start:stop:step`);
    return {
      kind: 'slice',
      start: parseNumber(bits[0]!, 'start'),
      stop: parseNumber(bits[1] ?? '', 'stop'),
      step: parseNumber(bits[2] ?? '', 'step'),
    };
  });
}

function parseItems(index: readonly IndexInput[]): Item[] {
  if (index.length === 1 && typeof index[0] === 'string') return parseString(index[0]);
  return index.map((i): Item => {
    if (i === '...') return { kind: 'ellipsis' };
    if (typeof i === 'number') return { kind: 'int', value: i };
    if (i === null) return { kind: 'slice', start: null, stop: null, step: null };
    if (Array.isArray(i)) {
      const [start, stop, step] = i as readonly [number | null, (number | null)?, (number | null)?];
      return { kind: 'slice', start, stop: stop ?? null, step: step ?? null };
    }
    throw new ValueError(`invalid index ${JSON.stringify(i)}; use numbers, [start, stop, step] or '...'`);
  });
}

function normalizeSlice(start: number | null, stop: number | null, step: number | null, dim: number): AxisSelection {
  const s = step ?? 1;
  if (s === 0) throw new ValueError('slice step cannot be zero');
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  const resolve = (v: number | null, dflt: number, lo: number, hi: number): number =>
    v === null ? dflt : clamp(v < 0 ? v + dim : v, lo, hi);
  if (s > 0) {
    const a = resolve(start, 0, 0, dim);
    const b = resolve(stop, dim, 0, dim);
    return { start: a, step: s, count: Math.max(0, Math.ceil((b - a) / s)), drop: false };
  }
  const a = resolve(start, dim - 1, -1, dim - 1);
  const b = resolve(stop, -1, -1, dim - 1);
  return { start: a, step: s, count: Math.max(0, Math.ceil((a - b) / -s)), drop: false };
}

/** Per-axis selections of `index` on an array of `shape`, with NumPy's errors. */
export function normalizeIndex(index: readonly IndexInput[], shape: readonly number[]): AxisSelection[] {
  const items = parseItems(index);
  const ellipses = items.filter((i) => i.kind === 'ellipsis').length;
  if (ellipses > 1) throw new ValueError("an index can only have a single ellipsis ('...')");
  const explicit = items.length - ellipses;
  if (explicit > shape.length)
    throw new ValueError(
      `too many indices for array: array is ${shape.length}-dimensional, but ${explicit} were indexed`,
    );
  const full: Item[] = [];
  for (const it of items) {
    if (it.kind === 'ellipsis')
      for (let k = 0; k < shape.length - explicit; k++)
        full.push({ kind: 'slice', start: null, stop: null, step: null });
    else full.push(it);
  }
  while (full.length < shape.length) full.push({ kind: 'slice', start: null, stop: null, step: null });
  return full.map((it, axis) => {
    const dim = shape[axis]!;
    if (it.kind === 'int') {
      const v = it.value < 0 ? it.value + dim : it.value;
      if (!Number.isInteger(it.value) || v < 0 || v >= dim)
        throw new ValueError(`index ${it.value} is out of bounds for axis ${axis} with size ${dim}`);
      return { start: v, step: 1, count: 1, drop: true };
    }
    if (it.kind === 'ellipsis') throw new Error('unreachable');
    return normalizeSlice(it.start, it.stop, it.step, dim);
  });
}

/** Output blocks along one axis: for each, the input block and the local start/stop/step. */
function axisPlan(
  sel: AxisSelection,
  sizes: readonly number[],
): { block: number; start: number; stop: number; step: number; count: number }[] {
  const offsets = offsetsOf(sizes);
  const out: { block: number; start: number; stop: number; step: number; count: number }[] = [];
  if (sel.count === 0) return [{ block: 0, start: 0, stop: 0, step: 1, count: 0 }];
  const order = sizes.map((_, b) => b);
  if (sel.step < 0) order.reverse();
  for (const b of order) {
    const lo = offsets[b]!;
    const hi = offsets[b + 1]!;
    // selected global indices g = start + step*k inside [lo, hi)
    const kMin =
      sel.step > 0
        ? Math.max(0, Math.ceil((lo - sel.start) / sel.step))
        : Math.max(0, Math.ceil((sel.start - (hi - 1)) / -sel.step));
    const kMax =
      sel.step > 0
        ? Math.min(sel.count - 1, Math.floor((hi - 1 - sel.start) / sel.step))
        : Math.min(sel.count - 1, Math.floor((sel.start - lo) / -sel.step));
    if (kMax < kMin || hi === lo) continue;
    const first = sel.start + sel.step * kMin - lo;
    const count = kMax - kMin + 1;
    const stop = first + sel.step * count;
    out.push({ block: b, start: first, stop: sel.step < 0 && stop < 0 ? -1 : stop, step: sel.step, count });
  }
  return out;
}

/** What each slice result was cut from, so a slice of a slice reads the original blocks. */
const sliceOrigins = new WeakMap<ArrayExpr, { base: ArrayExpr; sels: readonly AxisSelection[] }>();

/** Composes `outer` (selections on the result of `inner`) into selections on inner's base. */
function compose(inner: readonly AxisSelection[], outer: readonly AxisSelection[]): AxisSelection[] {
  let k = 0;
  return inner.map((s) => {
    if (s.drop) return s;
    const o = outer[k++]!;
    return { start: s.start + s.step * o.start, step: s.step * o.step, count: o.count, drop: o.drop };
  });
}

export function slice(x: ArrayExpr, index: readonly IndexInput[]): ArrayExpr {
  const sels = normalizeIndex(index, x.shape);
  const origin = sliceOrigins.get(x);
  if (origin !== undefined) return sliceBy(origin.base, compose(origin.sels, sels));
  return sliceBy(x, sels);
}

function sliceBy(x: ArrayExpr, sels: readonly AxisSelection[]): ArrayExpr {
  const plans = sels.map((sel, axis) => axisPlan(sel, x.chunks[axis]!));
  const name = `getitem-${uniqueToken()}`;
  const keptAxes = sels.map((s, a) => (s.drop ? -1 : a)).filter((a) => a >= 0);
  const tasks: Task[] = [];
  const numblocks = plans.map((p) => p.length);
  const walk = (axis: number, chosen: number[]): void => {
    if (axis === plans.length) {
      const parts = chosen.map((c, a) => plans[a]![c]!);
      const spec = {
        start: parts.map((p) => p.start),
        stop: parts.map((p) => p.stop),
        step: parts.map((p) => p.step),
        drop: sels.map((s) => s.drop),
      };
      const outIdx = keptAxes.map((a) => chosen[a]!);
      tasks.push(
        new Task(key(name, ...outIdx), sliceChunk, [new TaskRef(key(x.name, ...parts.map((p) => p.block))), spec]),
      );
      return;
    }
    for (let c = 0; c < numblocks[axis]!; c++) walk(axis + 1, [...chosen, c]);
  };
  walk(0, []);
  const chunks = keptAxes.map((a) => plans[a]!.map((p) => p.count));
  const layer = new MaterializedLayer(name, tasks, [x.name]);
  const result = new ArrayExpr(HighLevelGraph.fromLayer(layer, [x.graph]), name, chunks, x.dtype);
  sliceOrigins.set(result, { base: x, sels });
  return result;
}
