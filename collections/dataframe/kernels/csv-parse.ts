/*
 * Parsing one byte-range block of a CSV file straight into typed Arrow columns.
 *
 * Blocks and quotes: a file is cut into byte ranges without looking at it; a block owns the
 * records that start inside its range. Whether a position is inside a quoted field depends on
 * everything before it, so each block of a multi-block file is first scanned (csvScan: its counts
 * of quote characters and newlines, in parallel); the parser of block b adds up the counts of the
 * blocks before it: an odd number of quotes means the block starts inside a quoted field (RFC 4180
 * escapes a quote by doubling it, which keeps the parity right), and the newlines give line numbers
 * for error messages. From its start the parser skips to the first newline outside quotes, then
 * parses records while they start before the block's end, reading past the end to finish the last.
 *
 * A record's fields are first found as byte ranges (a quoted field may hold separators, newlines
 * and doubled quotes, which are unescaped into a scratch buffer), then, once the record is known to
 * be complete and to have as many fields as the header, handed to the column builders
 * (csv-fields.ts) of the columns asked for; other columns are skipped. Blank lines are skipped, a
 * CR before a newline is dropped, and a record with the wrong number of fields is a CsvParseError
 * naming file and line. The optimiser's pushed-down filter and projection run on the result.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Data, Table } from 'apache-arrow';
import { registerModuleFunction } from '../../../src/core/serialize/fn-ref.js';
import { CsvParseError } from '../errors.js';
import type { DType } from '../dtype.js';
import type { Expr } from '../expr.js';
import { tableOf } from './build.js';
import { fieldSink, type FieldSink, type Where } from './csv-fields.js';
import { filterSelect } from './rowwise.js';

const QUOTE = 34;
const NL = 10;
const CR = 13;

export interface CsvBlockSpec {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly sep: number;
  readonly header: boolean;
  /** Every column of the file, in order, and its dtype. */
  readonly names: readonly string[];
  readonly dtypes: readonly DType[];
  /** Columns to build (others are skipped). */
  readonly parse: readonly string[];
  readonly filter: Expr | null;
  readonly select: readonly string[] | null;
}

export interface ScanCounts {
  readonly quotes: number;
  readonly newlines: number;
}

function readRange(file: string, pos: number, len: number): Uint8Array {
  const buf = new Uint8Array(Math.max(0, len));
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    while (got < len) {
      const n = readSync(fd, buf, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return got === len ? buf : buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function csvScan(spec: { readonly file: string; readonly start: number; readonly end: number }): ScanCounts {
  const b = readRange(spec.file, spec.start, spec.end - spec.start);
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  // Buffer#indexOf is a native byte search: far faster than testing every byte in JavaScript.
  let quotes = 0;
  for (let i = buf.indexOf(QUOTE); i >= 0; i = buf.indexOf(QUOTE, i + 1)) quotes++;
  let newlines = 0;
  for (let i = buf.indexOf(NL); i >= 0; i = buf.indexOf(NL, i + 1)) newlines++;
  return { quotes, newlines };
}

/** Field boundaries of one record, found before any is committed. */
class Record {
  starts: Int32Array = new Int32Array(64);
  ends: Int32Array = new Int32Array(64);
  /** For a quoted field with doubled quotes: where its unescaped bytes start in `scratch`, else -1. */
  esc: Int32Array = new Int32Array(64);
  count = 0;
  scratch: Uint8Array = new Uint8Array(1024);
  used = 0;
  push(s: number, e: number, esc: number): void {
    if (this.count === this.starts.length) {
      const grow = (a: Int32Array): Int32Array => {
        const n = new Int32Array(a.length * 2);
        n.set(a);
        return n;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.esc = grow(this.esc);
    }
    this.starts[this.count] = s;
    this.ends[this.count] = e;
    this.esc[this.count++] = esc;
  }
  unescape(b: Uint8Array, s: number, e: number): number {
    if (this.used + (e - s) > this.scratch.length) {
      const n = new Uint8Array(Math.max(this.scratch.length * 2, this.used + e - s));
      n.set(this.scratch.subarray(0, this.used));
      this.scratch = n;
    }
    const at = this.used;
    for (let i = s; i < e; i++) {
      this.scratch[this.used++] = b[i]!;
      if (b[i] === QUOTE) i++;
    }
    return at;
  }
}

/**
 * Reads one record starting at `pos`; returns the position after it, or -1 when the buffer ended
 * inside it and more of the file exists. `newlines` receives the newlines inside quoted fields.
 */
function readRecord(
  b: Uint8Array,
  pos: number,
  sep: number,
  atEof: boolean,
  rec: Record,
  lines: { inside: number },
): number {
  rec.count = 0;
  rec.used = 0;
  lines.inside = 0;
  let i = pos;
  const n = b.length;
  for (;;) {
    if (i < n && b[i] === QUOTE) {
      let j = i + 1;
      let doubled = false;
      for (;;) {
        if (j >= n) return atEof ? fail() : -1;
        const c = b[j]!;
        if (c === QUOTE) {
          if (j + 1 < n && b[j + 1] === QUOTE) {
            doubled = true;
            j += 2;
            continue;
          }
          if (j + 1 >= n && !atEof) return -1;
          break;
        }
        if (c === NL) lines.inside++;
        j++;
      }
      rec.push(i + 1, j, doubled ? rec.unescape(b, i + 1, j) : -1);
      i = j + 1;
    } else {
      let j = i;
      while (j < n && b[j] !== sep && b[j] !== NL) j++;
      if (j >= n && !atEof) return -1;
      rec.push(i, j > i && b[j - 1] === CR && (j >= n || b[j] === NL) ? j - 1 : j, -1);
      i = j;
    }
    if (i >= n) return n;
    const c = b[i]!;
    if (c === sep) {
      i++;
      continue;
    }
    if (c === CR && i + 1 < n && b[i + 1] === NL) return i + 2;
    if (c === NL) return i + 1;
    if (c === CR && i + 1 >= n && !atEof) return -1;
    throw new Error(`unexpected character '${String.fromCharCode(c)}' after a closing quote`);
  }
  function fail(): never {
    throw new Error('unterminated quoted field at the end of the file');
  }
}

interface Cursor {
  buf: Uint8Array;
  /** File position of buf[0]. */
  base: number;
}

/** Position (relative to buf) of the first record start at or after the block start, and the newlines skipped. */
function firstRecord(cur: Cursor, start: number, inQuote: boolean): { pos: number; skipped: number } {
  const b = cur.buf;
  let rel = start - cur.base;
  if (rel === 0 || (b[rel - 1] === NL && !inQuote)) return { pos: rel, skipped: 0 };
  let quoted = inQuote;
  let skipped = 0;
  for (; rel < b.length; rel++) {
    const c = b[rel]!;
    if (c === QUOTE) quoted = !quoted;
    else if (c === NL) {
      skipped++;
      if (!quoted) return { pos: rel + 1, skipped };
    }
  }
  return { pos: b.length, skipped };
}

function commit(rec: Record, b: Uint8Array, sinks: readonly (FieldSink | null)[], where: Where): void {
  for (let f = 0; f < sinks.length; f++) {
    const sink = sinks[f];
    if (sink === null || sink === undefined) continue;
    const s = rec.starts[f]!;
    const e = rec.ends[f]!;
    const esc = rec.esc[f]!;
    if (esc >= 0) {
      const len = e - s - countQuotes(b, s, e) / 2;
      if (len === 0) sink.missing();
      else sink.add(rec.scratch, esc, esc + len, where);
    } else if (e === s) sink.missing();
    else sink.add(b, s, e, where);
  }
}

function countQuotes(b: Uint8Array, s: number, e: number): number {
  let q = 0;
  for (let i = s; i < e; i++) if (b[i] === QUOTE) q++;
  return q;
}

function checkHeader(spec: CsvBlockSpec, rec: Record, b: Uint8Array): void {
  const dec = new TextDecoder();
  const got = Array.from({ length: rec.count }, (_, f) =>
    dec.decode(
      rec.esc[f]! >= 0
        ? rec.scratch.subarray(rec.esc[f], rec.esc[f]! + rec.ends[f]! - rec.starts[f]!)
        : b.subarray(rec.starts[f], rec.ends[f]),
    ),
  );
  if (got.length !== spec.names.length || got.some((g, i) => g !== spec.names[i])) {
    throw new CsvParseError(
      spec.file,
      1,
      `the header [${got.join(', ')}] differs from the columns [${spec.names.join(', ')}] of the first file`,
    );
  }
}

/** 3 when the bytes start with a UTF-8 byte order mark, else 0. */
export function bomLength(b: Uint8Array): number {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
}

export function csvParseBlock(spec: CsvBlockSpec, before: readonly ScanCounts[]): Table {
  const quotes = before.reduce((a, s) => a + s.quotes, 0);
  const newlines = before.reduce((a, s) => a + s.newlines, 0);
  const base = Math.max(0, spec.start - 1);
  let overhang = Math.min(1 << 16, spec.size - spec.end);
  const cur: Cursor = { buf: readRange(spec.file, base, spec.end + overhang - base), base };
  const first = firstRecord(cur, spec.start, quotes % 2 === 1);
  let pos = first.pos + (spec.start === 0 ? bomLength(cur.buf) : 0);
  const where: Where = { file: spec.file, line: 1 + newlines + first.skipped };
  const sinks = spec.names.map((name, f) =>
    spec.parse.includes(name) ? fieldSink(name, spec.dtypes[f]!, 1024) : null,
  );
  const rec = new Record();
  const lines = { inside: 0 };
  let headerPending = spec.header && spec.start === 0;
  while (pos + cur.base < spec.end && pos < cur.buf.length) {
    const atEof = cur.base + cur.buf.length >= spec.size;
    let next: number;
    try {
      next = readRecord(cur.buf, pos, spec.sep, atEof, rec, lines);
    } catch (e) {
      throw new CsvParseError(spec.file, where.line, e instanceof Error ? e.message : String(e));
    }
    if (next < 0) {
      overhang = Math.max(overhang * 2, 1 << 16);
      cur.buf = readRange(spec.file, cur.base, spec.end + overhang - cur.base);
      continue;
    }
    const blank = rec.count === 1 && rec.ends[0] === rec.starts[0] && rec.esc[0] === -1 && cur.buf[pos] !== QUOTE;
    if (headerPending) {
      checkHeader(spec, rec, cur.buf);
      headerPending = false;
    } else if (!blank) {
      if (rec.count !== spec.names.length)
        throw new CsvParseError(
          spec.file,
          where.line,
          `expected ${spec.names.length} fields (${spec.names.join(', ')}), found ${rec.count}`,
        );
      commit(rec, cur.buf, sinks, where);
    }
    where.line += 1 + lines.inside;
    pos = next;
  }
  const names: string[] = [];
  const data: Data[] = [];
  sinks.forEach((s, f) => {
    if (s === null) return;
    names.push(spec.names[f]!);
    data.push(s.finish());
  });
  const table = tableOf(names, data, data[0]?.length ?? 0);
  return spec.filter === null && spec.select === null
    ? table
    : filterSelect({ predicate: spec.filter, columns: spec.select }, table);
}

/** The records at the start of `b` as strings with their first line (at most `max`; a record cut by the end is dropped unless atEof). */
export function sampleRecords(
  b: Uint8Array,
  sep: number,
  atEof: boolean,
  max: number,
): { fields: string[]; line: number }[] {
  const rec = new Record();
  const lines = { inside: 0 };
  const dec = new TextDecoder();
  const out: { fields: string[]; line: number }[] = [];
  let pos = bomLength(b);
  let line = 1;
  while (pos < b.length && out.length < max) {
    const next = readRecord(b, pos, sep, atEof, rec, lines);
    if (next < 0) break;
    const fields: string[] = [];
    for (let f = 0; f < rec.count; f++) {
      const e = rec.esc[f]!;
      const s0 = rec.starts[f]!;
      const e0 = rec.ends[f]!;
      fields.push(
        dec.decode(e >= 0 ? rec.scratch.subarray(e, e + e0 - s0 - countQuotes(b, s0, e0) / 2) : b.subarray(s0, e0)),
      );
    }
    if (!(fields.length === 1 && fields[0] === '' && b[pos] !== QUOTE)) out.push({ fields, line });
    line += 1 + lines.inside;
    pos = next;
  }
  return out;
}

registerModuleFunction(csvScan, import.meta.url, 'csvScan');
registerModuleFunction(csvParseBlock, import.meta.url, 'csvParseBlock');
