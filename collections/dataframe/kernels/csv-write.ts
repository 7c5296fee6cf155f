/*
 * Writing a partition as a CSV file: a header line, then one line per row. Numbers are written in
 * JavaScript's shortest round-trip form, booleans as true/false, missing values as empty fields;
 * a string holding the separator, a quote, a CR or a newline is quoted with its quotes doubled.
 * Lines are joined in pieces of a few thousand, never one string per file per row.
 */
import { writeFileSync } from 'node:fs';
import type { Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { columnOf, valueAt } from './columns.js';
import { singleBatch } from './concat.js';

function field(v: number | boolean | string | null, sep: string): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  if (v.includes(sep) || v.includes('"') || v.includes('\n') || v.includes('\r') || v === '') return `"${v.replaceAll('"', '""')}"`;
  return v;
}

export function csvWritePart(spec: { readonly path: string; readonly sep: string }, table: Table): string {
  const t = singleBatch(table);
  const names = t.schema.fields.map((f) => f.name);
  const cols = names.map((n) => columnOf(t, n));
  const pieces: string[] = [names.map((n) => field(n, spec.sep)).join(spec.sep) + '\n'];
  let lines: string[] = [];
  for (let i = 0; i < t.numRows; i++) {
    lines.push(cols.map((c) => field(valueAt(c, i), spec.sep)).join(spec.sep));
    if (lines.length === 4096) {
      pieces.push(lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length > 0) pieces.push(lines.join('\n') + '\n');
  writeFileSync(spec.path, pieces.join(''));
  return spec.path;
}

registerModuleFunction(csvWritePart, import.meta.url, 'csvWritePart');
