/*
 * Writing a partition as a CSV file: a header line, then one line per row. Numbers are written in
 * JavaScript's shortest round-trip form, booleans as true/false, missing values as empty fields;
 * a string holding the separator, a quote, a CR or a newline is quoted with its quotes doubled.
 *
 * The work goes column by column: each column's fields are formatted in one loop over its own
 * typed array (a dictionary column formats each distinct string once), then lines are glued from
 * the columns' fields 4,096 rows at a time and each piece is written to the file as it is made,
 * so no string ever holds the whole file.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { boolAt, columnOf, stringAt, validAt, type Col, type StrCol } from './columns.js';
import { singleBatch } from './concat.js';

const ROWS_PER_PIECE = 4096;

function quoted(v: string, sep: string): string {
  if (v.includes(sep) || v.includes('"') || v.includes('\n') || v.includes('\r') || v === '')
    return `"${v.replaceAll('"', '""')}"`;
  return v;
}

/** The text of rows [from, to) of a string column; `table` holds a dictionary's formatted entries. */
function strFields(c: StrCol, sep: string, from: number, to: number, table: string[] | null): string[] {
  const out: string[] = new Array<string>(to - from);
  for (let i = from; i < to; i++) {
    if (!validAt(c, i)) out[i - from] = '';
    else if (table !== null) out[i - from] = table[c.codes![i]!]!;
    else out[i - from] = quoted(stringAt(c, i), sep);
  }
  return out;
}

/** The text of rows [from, to) of column `c`. */
function fields(c: Col, sep: string, from: number, to: number, table: string[] | null): string[] {
  if (c.kind === 'str') return strFields(c, sep, from, to, table);
  const out: string[] = new Array<string>(to - from);
  if (c.kind === 'bool') {
    for (let i = from; i < to; i++) out[i - from] = validAt(c, i) ? (boolAt(c, i) ? 'true' : 'false') : '';
    return out;
  }
  const v = c.values;
  if (c.valid === null) for (let i = from; i < to; i++) out[i - from] = String(v[i]);
  else for (let i = from; i < to; i++) out[i - from] = validAt(c, i) ? String(v[i]) : '';
  return out;
}

export function csvWritePart(spec: { readonly path: string; readonly sep: string }, table: Table): string {
  const t = singleBatch(table);
  const names = t.schema.fields.map((f) => f.name);
  const cols = names.map((n) => columnOf(t, n));
  const tables = cols.map((c) =>
    c.kind === 'str' && c.codes !== null
      ? Array.from({ length: c.nstrings }, (_, s) => quoted(stringAt(c, s), spec.sep))
      : null,
  );
  const fd = openSync(spec.path, 'w');
  try {
    writeSync(fd, names.map((n) => quoted(n, spec.sep)).join(spec.sep) + '\n');
    for (let from = 0; from < t.numRows; from += ROWS_PER_PIECE) {
      const to = Math.min(t.numRows, from + ROWS_PER_PIECE);
      const columns = cols.map((c, k) => fields(c, spec.sep, from, to, tables[k]!));
      const lines = columns[0] ?? new Array<string>(to - from).fill('');
      for (let k = 1; k < columns.length; k++) {
        const next = columns[k]!;
        for (let j = 0; j < lines.length; j++) lines[j] = lines[j] + spec.sep + next[j]!;
      }
      writeSync(fd, lines.join('\n') + '\n');
    }
  } finally {
    closeSync(fd);
  }
  return spec.path;
}

registerModuleFunction(csvWritePart, import.meta.url, 'csvWritePart');
