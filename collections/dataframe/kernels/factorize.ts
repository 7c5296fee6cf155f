/*
 * factorize: rows → dense group codes 0..ngroups-1 (first-seen order), over one or several key
 * columns and over one or several segments (the left and right partitions of a join are two
 * segments factorized together, so equal keys get equal codes on both sides).
 *
 * One key column:
 *   integers  dense slots indexed by value - min when the range is small (no hashing at all)
 *   floats    F64Map; NaN counts as missing (pandas)
 *   bool      two slots
 *   strings   ByteInterner over UTF-8 bytes; a dictionary column interns each dictionary entry
 *             once and maps its codes
 * Several key columns: codes are combined pairwise, acc * n_next + code_next (at most n² < 2^53, so
 * exact in a float64) and refactorized through an F64Map, keeping codes dense.
 * Missing keys get code -1 with `dropNulls` (group-by and value counts skip them, as pandas does),
 * else a group of their own (dedupe and joins treat missing as equal to missing, as pandas does).
 */
import { F64Map, ByteInterner } from './hash-tables.js';
import { boolAt, validAt, type Col, type NumCol, type StrCol } from './columns.js';

export interface Factorized {
  /** Per segment, the code of each row (-1: dropped for a missing key). */
  readonly codes: Int32Array[];
  readonly ngroups: number;
}

class Coder {
  ngroups = 0;
  private nullCode = -1;
  constructor(private readonly dropNulls: boolean) {}
  nullGroup(): number {
    if (this.dropNulls) return -1;
    if (this.nullCode < 0) this.nullCode = this.ngroups++;
    return this.nullCode;
  }
}

const INTEGER = new Set(['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32']);

function numRange(segs: readonly NumCol[]): { min: number; max: number; rows: number } {
  let min = Infinity;
  let max = -Infinity;
  let rows = 0;
  for (const c of segs) {
    rows += c.length;
    const v = c.values;
    for (let i = 0; i < c.length; i++) {
      if (c.valid !== null && !validAt(c, i)) continue;
      const x = v[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  return { min, max, rows };
}

function factorizeNum(segs: readonly NumCol[], coder: Coder): Int32Array[] {
  const dense = segs.every((c) => INTEGER.has(c.dtype));
  const { min, max, rows } = dense ? numRange(segs) : { min: 0, max: Infinity, rows: 0 };
  if (dense && max - min < Math.max(2 * rows, 1 << 16)) {
    const slot = new Int32Array(Math.max(0, max - min + 1)).fill(-1);
    return segs.map((c) => {
      const out = new Int32Array(c.length);
      const v = c.values;
      for (let i = 0; i < c.length; i++) {
        if (c.valid !== null && !validAt(c, i)) {
          out[i] = coder.nullGroup();
          continue;
        }
        const s = v[i]! - min;
        let g = slot[s]!;
        if (g < 0) slot[s] = g = coder.ngroups++;
        out[i] = g;
      }
      return out;
    });
  }
  const map = new F64Map(1024);
  let sawNull = false;
  const codes = segs.map((c) => {
    const out = new Int32Array(c.length);
    const v = c.values;
    for (let i = 0; i < c.length; i++) {
      const x = v[i]!;
      if ((c.valid !== null && !validAt(c, i)) || x !== x) {
        out[i] = -1;
        sawNull = true;
      } else out[i] = map.code(x);
    }
    return out;
  });
  coder.ngroups = map.count;
  if (sawNull) {
    const g = coder.nullGroup();
    if (g >= 0) for (const out of codes) for (let i = 0; i < out.length; i++) if (out[i] === -1) out[i] = g;
  }
  return codes;
}

function factorizeBool(segs: readonly Col[], coder: Coder): Int32Array[] {
  const slot = [-1, -1];
  return segs.map((c) => {
    const out = new Int32Array(c.length);
    for (let i = 0; i < c.length; i++) {
      if (!validAt(c, i)) out[i] = coder.nullGroup();
      else {
        const b = boolAt(c as Parameters<typeof boolAt>[0], i) ? 1 : 0;
        if (slot[b]! < 0) slot[b] = coder.ngroups++;
        out[i] = slot[b]!;
      }
    }
    return out;
  });
}

function factorizeStr(segs: readonly StrCol[], coder: Coder): Int32Array[] {
  const interner = new ByteInterner(1024);
  const groupOf: number[] = [];
  const group = (code: number): number => {
    let g = groupOf[code];
    if (g === undefined) groupOf[code] = g = coder.ngroups++;
    return g;
  };
  return segs.map((c) => {
    const out = new Int32Array(c.length);
    const entry = c.codes === null ? undefined : new Int32Array(c.nstrings).fill(-1);
    for (let i = 0; i < c.length; i++) {
      if (c.valid !== null && !validAt(c, i)) {
        out[i] = coder.nullGroup();
        continue;
      }
      const s = c.codes === null ? i : c.codes[i]!;
      if (entry !== undefined) {
        let code = entry[s]!;
        if (code < 0) entry[s] = code = interner.intern(c.bytes, c.offsets[s]!, c.offsets[s + 1]!);
        out[i] = group(code);
      } else out[i] = group(interner.intern(c.bytes, c.offsets[s]!, c.offsets[s + 1]!));
    }
    return out;
  });
}

/** Codes of one key column across segments. */
export function factorizeColumn(segs: readonly Col[], dropNulls: boolean): Factorized {
  const coder = new Coder(dropNulls);
  const kind = segs[0]?.kind ?? 'num';
  if (segs.some((c) => c.kind !== kind))
    throw new Error('factorize: a key column has different kinds in different segments');
  const codes =
    kind === 'num'
      ? factorizeNum(segs as NumCol[], coder)
      : kind === 'bool'
        ? factorizeBool(segs, coder)
        : factorizeStr(segs as StrCol[], coder);
  return { codes, ngroups: coder.ngroups };
}

/** Codes of rows over several key columns: keys[k][s] is key column k in segment s. */
export function factorize(keys: readonly (readonly Col[])[], dropNulls: boolean): Factorized {
  if (keys.length === 0) throw new Error('factorize needs at least one key column');
  let acc = factorizeColumn(keys[0]!, dropNulls);
  for (let k = 1; k < keys.length; k++) {
    const next = factorizeColumn(keys[k]!, dropNulls);
    const map = new F64Map(Math.min(acc.ngroups * 2, 1 << 20));
    const codes = acc.codes.map((a, s) => {
      const b = next.codes[s]!;
      const out = new Int32Array(a.length);
      for (let i = 0; i < a.length; i++) {
        const x = a[i]!;
        const y = b[i]!;
        out[i] = x < 0 || y < 0 ? -1 : map.code(x * next.ngroups + y);
      }
      return out;
    });
    acc = { codes, ngroups: map.count };
  }
  return acc;
}

/** The first row of each group (one segment). */
export function firstRows(codes: Int32Array, ngroups: number): Int32Array {
  const first = new Int32Array(ngroups).fill(-1);
  let left = ngroups;
  for (let i = 0; i < codes.length && left > 0; i++) {
    const g = codes[i]!;
    if (g >= 0 && first[g] === -1) {
      first[g] = i;
      left--;
    }
  }
  return first;
}
