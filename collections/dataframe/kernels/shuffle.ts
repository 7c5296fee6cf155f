/*
 * Shuffle kernels: moving rows to the output partition their key decides, N inputs to M outputs.
 *
 * A split task turns one input partition into a Split: its rows reordered so that the rows bound
 * for output j are contiguous, plus M + 1 offsets (a counting sort by target, stable). A piece is
 * then a zero-copy slice, so a split travels as one table, and output j gathers slice j of every
 * split. Targets come from a hash of the key columns (hash joins, group-bys with splitOut:
 * equal keys meet in one output whatever partition they came from; numbers hash by value, so an
 * int32 1 and a float64 1.0 meet too, strings by their UTF-8 bytes, missing keys together) or from
 * ranges of sort-key boundaries (sortValues, see sort.ts).
 */
import type { Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { boolAt, columnOf, validAt, type Col } from './columns.js';
import { concatTables, singleBatch } from './concat.js';
import { hashBytes, hashNumber, mixHash } from './hash-tables.js';
import { takeTable } from './take.js';
import type { GroupState } from './groupby-state.js';
import { tableState, type AnyGroupState } from './groupby-dense-state.js';

export interface Split {
  readonly table: Table;
  readonly offsets: Int32Array;
}

const NULL_HASH = 0x5bd1e995;

function columnHashes(c: Col, into: Uint32Array, first: boolean): void {
  const n = c.length;
  const put = (i: number, h: number): void => {
    into[i] = first ? h : mixHash(into[i]!, h);
  };
  if (c.kind === 'num') {
    const v = c.values;
    for (let i = 0; i < n; i++) put(i, !validAt(c, i) || v[i]! !== v[i]! ? NULL_HASH : hashNumber(v[i]!));
  } else if (c.kind === 'bool') {
    for (let i = 0; i < n; i++) put(i, !validAt(c, i) ? NULL_HASH : hashNumber(boolAt(c, i) ? 1 : 0));
  } else {
    const entry = c.codes === null ? null : new Uint32Array(c.nstrings);
    if (entry !== null)
      for (let s = 0; s < c.nstrings; s++) entry[s] = hashBytes(c.bytes, c.offsets[s]!, c.offsets[s + 1]!);
    for (let i = 0; i < n; i++) {
      if (!validAt(c, i)) put(i, NULL_HASH);
      else if (entry !== null) put(i, entry[c.codes![i]!]!);
      else put(i, hashBytes(c.bytes, c.offsets[i]!, c.offsets[i + 1]!));
    }
  }
}

/** A 32-bit hash of each row's key columns. */
export function rowHashes(keys: readonly Col[], n: number): Uint32Array {
  const h = new Uint32Array(n);
  keys.forEach((c, k) => columnHashes(c, h, k === 0));
  return h;
}

/** Rows reordered by target (stable) and the offsets of each target's rows. */
export function splitByTarget(table: Table, target: Int32Array, nout: number): Split {
  const offsets = new Int32Array(nout + 1);
  for (let i = 0; i < target.length; i++) offsets[target[i]! + 1]!++;
  for (let j = 0; j < nout; j++) offsets[j + 1]! += offsets[j]!;
  const cursor = offsets.slice(0, nout);
  const order = new Int32Array(target.length);
  for (let i = 0; i < target.length; i++) order[cursor[target[i]!]!++] = i;
  return { table: takeTable(table, order), offsets };
}

export function hashTargets(table: Table, keys: readonly string[], nout: number): Int32Array {
  const h = rowHashes(
    keys.map((k) => columnOf(table, k)),
    table.numRows,
  );
  const target = new Int32Array(h.length);
  for (let i = 0; i < h.length; i++) target[i] = h[i]! % nout;
  return target;
}

export function hashSplit(spec: { readonly keys: readonly string[]; readonly nout: number }, table: Table): Split {
  const t = singleBatch(table);
  return splitByTarget(t, hashTargets(t, spec.keys, spec.nout), spec.nout);
}

/** Piece j of a split. */
export function pieceOf(s: Split, j: number): Table {
  return s.table.slice(s.offsets[j], s.offsets[j + 1]);
}

/** Output j of a frame shuffle: piece j of every split, concatenated in input order. */
export function gatherPieces(j: number, splits: readonly Split[]): Table {
  return singleBatch(concatTables(splits.map((s) => pieceOf(s, j))));
}

/** A group-by state split by key hash: the state table and each distinct table. */
export interface StateSplit {
  readonly table: Split;
  readonly distinct: readonly (Split | null)[];
}

export function splitState(
  spec: { readonly keys: readonly string[]; readonly nout: number },
  anyState: AnyGroupState,
): StateSplit {
  const state = tableState(anyState);
  const distinctKeys = spec.keys.map((_, j) => `k${j}`);
  return {
    table: hashSplit(spec, state.table),
    distinct: state.distinct.map((d) => (d === null ? null : hashSplit({ keys: distinctKeys, nout: spec.nout }, d))),
  };
}

export function statePiece(s: StateSplit, j: number): GroupState {
  return { table: pieceOf(s.table, j), distinct: s.distinct.map((d) => (d === null ? null : pieceOf(d, j))) };
}

registerModuleFunction(hashSplit, import.meta.url, 'hashSplit');
registerModuleFunction(gatherPieces, import.meta.url, 'gatherPieces');
registerModuleFunction(splitState, import.meta.url, 'splitState');
registerModuleFunction(statePiece, import.meta.url, 'statePiece');
