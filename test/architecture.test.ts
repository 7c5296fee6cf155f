/*
 * The layering rules of DESIGN.md, checked on the source itself so they hold without a reviewer:
 * every import of the library (src/, collections/, scheduler/) is read with the TypeScript parser,
 * and
 *   - src/core imports nothing outside src/core;
 *   - collections/ and scheduler/ never import each other (not even lazily, with import());
 *   - collections/ and scheduler/ import src/ only through src/core (the faces import them, not
 *     the other way round);
 *   - no two files import each other's values in a cycle (type-only imports and lazy import()
 *     calls are not cycles at load time, so they do not count).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const LIBRARY = ['src', 'collections', 'scheduler'];

interface Import {
  readonly from: string;
  readonly to: string;
  /** Loaded when `from` loads: a static import or export of at least one value. */
  readonly value: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** True when an import or export declaration brings in no value (all of it is `type`). */
function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (clause === undefined) return false; // a bare import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: Import[] = [];
  const add = (spec: string, value: boolean): void => {
    if (!spec.startsWith('.')) return; // packages and node: builtins
    out.push({ from: file, to: resolve(dirname(file), spec.replace(/\.js$/, '.ts')), value });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      if (ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, !typeOnly(node));
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const files = LIBRARY.flatMap((d) => sourceFiles(join(root, d)));
const imports = files.flatMap(importsOf);
const rel = (p: string): string => relative(root, p);
const inside = (p: string, dir: string): boolean => rel(p).startsWith(`${dir}/`);

/** Strongly connected components of more than one file (Tarjan), over value imports. */
function valueCycles(): string[][] {
  const edges = new Map<string, string[]>();
  for (const f of files) edges.set(f, []);
  for (const i of imports) if (i.value && edges.has(i.to)) edges.get(i.from)!.push(i.to);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(rel(w));
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const f of files) if (!index.has(f)) strong(f);
  return cycles;
}

const violations = (rule: (i: Import) => boolean): string[] =>
  imports.filter(rule).map((i) => `${rel(i.from)} -> ${rel(i.to)}`);

describe('architecture', () => {
  test('the parser sees the imports (a check that the rules below can fail)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.some((i) => inside(i.from, 'collections') && inside(i.to, 'src/core') && i.value)).toBe(true);
    expect(imports.some((i) => !i.value)).toBe(true);
  });

  test('src/core imports nothing outside src/core', () => {
    expect(violations((i) => inside(i.from, 'src/core') && !inside(i.to, 'src/core'))).toEqual([]);
  });

  test('collections and scheduler never import each other, not even lazily', () => {
    expect(
      violations(
        (i) =>
          (inside(i.from, 'collections') && inside(i.to, 'scheduler')) ||
          (inside(i.from, 'scheduler') && inside(i.to, 'collections')),
      ),
    ).toEqual([]);
  });

  test('collections and scheduler reach src/ only through src/core (the faces import them)', () => {
    expect(
      violations(
        (i) =>
          (inside(i.from, 'collections') || inside(i.from, 'scheduler')) &&
          inside(i.to, 'src') &&
          !inside(i.to, 'src/core'),
      ),
    ).toEqual([]);
  });

  test('no value-import cycle between files', () => {
    expect(valueCycles()).toEqual([]);
  });
});
