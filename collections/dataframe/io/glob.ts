/*
 * Paths for the readers: a file, a directory (its files, sorted), a list of those, or a glob
 * pattern with `*`, `?` and `[...]` in any segment and `**` for any depth (Node 20 has no
 * fs.globSync). Matches are sorted, so partitions follow file names. No match is a ValueError
 * naming the pattern.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { ValueError } from '../../../src/core/errors.js';

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (const ch of seg) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[' || ch === ']') re += ch;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const MAGIC = /[*?[]/;

function expand(base: string, segs: readonly string[], out: string[]): void {
  if (segs.length === 0) {
    out.push(base);
    return;
  }
  const [seg, ...rest] = segs as [string, ...string[]];
  if (seg === '**') {
    expand(base, rest, out);
    for (const e of safeReaddir(base)) if (e.isDirectory()) expand(join(base, e.name), segs, out);
    return;
  }
  if (!MAGIC.test(seg)) {
    expand(join(base, seg), rest, out);
    return;
  }
  const re = segmentRegex(seg);
  for (const e of safeReaddir(base)) if (re.test(e.name)) expand(join(base, e.name), rest, out);
}

function safeReaddir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The files a path, directory, glob or list of them names, sorted within each entry. */
export function expandPaths(input: string | readonly string[], what: string): string[] {
  const out: string[] = [];
  for (const p of typeof input === 'string' ? [input] : input) {
    const abs = resolve(p);
    if (!MAGIC.test(p)) {
      let st;
      try {
        st = statSync(abs);
      } catch {
        throw new ValueError(`${what}: no such file or directory: ${p}`);
      }
      if (st.isDirectory())
        out.push(
          ...readdirSync(abs)
            .sort()
            .map((f) => join(abs, f))
            .filter(isFile),
        );
      else out.push(abs);
      continue;
    }
    const root = abs.startsWith(sep) ? sep : '';
    const matches: string[] = [];
    expand(
      root,
      abs.split(sep).filter((s) => s !== ''),
      matches,
    );
    const files = matches.filter(isFile).sort();
    if (files.length === 0) throw new ValueError(`${what}: no file matches ${p}`);
    out.push(...files);
  }
  if (out.length === 0) throw new ValueError(`${what}: no file to read in ${JSON.stringify(input)}`);
  return out;
}
