/*
 * Reads the source text of a function (what `Function.prototype.toString` returns) and finds its
 * free variables: the names it reads or assigns without declaring them itself. A function shipped
 * to another thread or machine as source text loses its closure, so every free name must be a
 * global that exists there too; fn-ref.ts makes that check, this file only finds the names.
 *
 * Parsing. `toString` yields one of three shapes:
 *   - a function or arrow expression, or a class: parses as the expression `( source )`;
 *   - a method shorthand (`f(x) {}`, `async *g() {}`, `['k']() {}`, `get x() {}`): parses as the
 *     object literal `({ source })`, and is rewritten into the anonymous function expression
 *     `function (x) {}` (with its `async` / `*`) so it can be evaluated on its own;
 *   - anything else (native or bound functions: `function () { [native code] }`): no parse.
 * In both accepted shapes the node must span the whole source, so trailing text cannot sneak in.
 *
 * Scopes. The walk keeps a chain of scopes, each a set of declared names:
 *   function scope  its name (for named function expressions), its parameters (with destructuring,
 *                   defaults and rest), and every `var` and function declaration anywhere in its
 *                   body outside nested functions (hoisting; block-level function declarations are
 *                   hoisted too, as sloppy-mode Annex B does, so no false positive arises);
 *   block scope     `let`, `const`, `class` and function declarations directly in the block, and
 *                   the loop variables of `for (let ...)`, the cases of a `switch`;
 *   catch scope     the catch parameter; class scope: the class name.
 * Declarations are collected before the statements are walked, so use-before-declaration (which is
 * legal for hoisted names) is not reported. A reference is an Identifier in expression position
 * whose name no enclosing scope declares: member names (`a.b`), non-computed property keys,
 * labels and `import.meta` / `new.target` are not references, while the shorthand `{ a }` reads
 * `a` and an assignment target `a = 1` writes it (also reported: outer state does not travel).
 */
import { parse } from 'acorn';
import type * as A from 'acorn';

export type FunctionForm = 'arrow' | 'function' | 'method' | 'class';

export interface ParsedFunction {
  /** Source text that evaluates, as an expression, to the function (methods rewritten). */
  readonly expression: string;
  readonly form: FunctionForm;
  /** Names used but not declared inside the function, in order of first use. */
  readonly free: readonly string[];
}

const OPTIONS: A.Options = { ecmaVersion: 'latest', sourceType: 'script' };

/** Parses a function's source text; undefined when it is not a function (e.g. native code). */
export function parseFunctionSource(source: string): ParsedFunction | undefined {
  const asExpression = tryParse(`(${source}\n)`);
  const stmt = asExpression?.body[0];
  if (asExpression?.body.length === 1 && stmt?.type === 'ExpressionStatement') {
    const e = stmt.expression;
    if (e.start === 1 && e.end === source.length + 1) {
      if (e.type === 'ArrowFunctionExpression' || e.type === 'FunctionExpression') {
        const form = e.type === 'ArrowFunctionExpression' ? 'arrow' : 'function';
        return { expression: source, form, free: freeVariablesOf(e) };
      }
      if (e.type === 'ClassExpression') return { expression: source, form: 'class', free: [] };
    }
  }
  return parseMethod(source);
}

function parseMethod(source: string): ParsedFunction | undefined {
  const wrapped = `({${source}\n})`;
  const program = tryParse(wrapped);
  const stmt = program?.body[0];
  if (program?.body.length !== 1 || stmt?.type !== 'ExpressionStatement') return undefined;
  const obj = stmt.expression;
  if (obj.type !== 'ObjectExpression' || obj.properties.length !== 1) return undefined;
  const prop = obj.properties[0];
  if (prop?.type !== 'Property' || prop.start !== 2 || prop.end !== source.length + 2) return undefined;
  if (!prop.method && prop.kind === 'init') return undefined;
  const fn = prop.value;
  if (fn.type !== 'FunctionExpression') return undefined;
  // For a method the FunctionExpression node starts at its parameter list.
  const rest = wrapped.slice(fn.start, fn.end);
  const expression = `${fn.async ? 'async ' : ''}function${fn.generator ? '*' : ''} ${rest}`;
  const free = freeVariablesOf(fn);
  // A computed key (`[k]() {}`) is evaluated where the method is defined: its names count too.
  if (prop.computed) {
    const finder = new FreeVariableFinder();
    finder.walk(prop.key, new Scope(undefined));
    for (const name of free) finder.free.add(name);
    return { expression, form: 'method', free: [...finder.free] };
  }
  return { expression, form: 'method', free };
}

function tryParse(text: string): A.Program | undefined {
  try {
    return parse(text, OPTIONS);
  } catch {
    return undefined;
  }
}

function freeVariablesOf(fn: A.Function): string[] {
  const finder = new FreeVariableFinder();
  finder.walkFunction(fn, new Scope(undefined));
  return [...finder.free];
}

class Scope {
  readonly names = new Set<string>();
  readonly parent: Scope | undefined;
  constructor(parent: Scope | undefined) {
    this.parent = parent;
  }
  has(name: string): boolean {
    return this.names.has(name) || (this.parent?.has(name) ?? false);
  }
}

/** Adds the names a binding pattern declares (`a`, `{b, c: [d]}`, `...e`, `f = 1`). */
function declarePattern(p: A.Pattern, scope: Scope): void {
  switch (p.type) {
    case 'Identifier':
      scope.names.add(p.name);
      return;
    case 'ObjectPattern':
      for (const prop of p.properties) declarePattern(prop.type === 'RestElement' ? prop : prop.value, scope);
      return;
    case 'ArrayPattern':
      for (const el of p.elements) if (el !== null) declarePattern(el, scope);
      return;
    case 'RestElement':
      declarePattern(p.argument, scope);
      return;
    case 'AssignmentPattern':
      declarePattern(p.left, scope);
      return;
    case 'MemberExpression':
      return;
  }
}

/** Declares `var` and function declarations found anywhere in these statements (not in nested functions). */
function hoistVars(stmts: readonly A.Statement[], scope: Scope): void {
  for (const s of stmts) hoistVarsIn(s, scope);
}

function hoistVarsIn(s: A.Statement | null | undefined, scope: Scope): void {
  if (s === null || s === undefined) return;
  switch (s.type) {
    case 'VariableDeclaration':
      if (s.kind === 'var') for (const d of s.declarations) declarePattern(d.id, scope);
      return;
    case 'FunctionDeclaration':
      scope.names.add(s.id.name);
      return;
    case 'BlockStatement':
      hoistVars(s.body, scope);
      return;
    case 'IfStatement':
      hoistVarsIn(s.consequent, scope);
      hoistVarsIn(s.alternate, scope);
      return;
    case 'ForStatement':
      if (s.init?.type === 'VariableDeclaration') hoistVarsIn(s.init, scope);
      hoistVarsIn(s.body, scope);
      return;
    case 'ForInStatement':
    case 'ForOfStatement':
      if (s.left.type === 'VariableDeclaration') hoistVarsIn(s.left, scope);
      hoistVarsIn(s.body, scope);
      return;
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'LabeledStatement':
    case 'WithStatement':
      hoistVarsIn(s.body, scope);
      return;
    case 'TryStatement':
      hoistVarsIn(s.block, scope);
      if (s.handler) hoistVarsIn(s.handler.body, scope);
      hoistVarsIn(s.finalizer, scope);
      return;
    case 'SwitchStatement':
      for (const c of s.cases) hoistVars(c.consequent, scope);
      return;
    default:
      return;
  }
}

/** Declares the block-scoped declarations written directly in these statements. */
function declareLexical(stmts: readonly A.Statement[], scope: Scope): void {
  for (const s of stmts) {
    if (s.type === 'VariableDeclaration' && s.kind !== 'var') {
      for (const d of s.declarations) declarePattern(d.id, scope);
    } else if (s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration') {
      scope.names.add(s.id.name);
    }
  }
}

function isNode(value: unknown): value is A.AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

const NOT_CHILDREN = new Set(['type', 'start', 'end', 'loc', 'range']);

class FreeVariableFinder {
  readonly free = new Set<string>();

  private ref(name: string, scope: Scope): void {
    if (!scope.has(name)) this.free.add(name);
  }

  walkFunction(fn: A.Function, outer: Scope): void {
    const scope = new Scope(outer);
    if (fn.id && fn.type === 'FunctionExpression') scope.names.add(fn.id.name);
    for (const p of fn.params) declarePattern(p, scope);
    const body = fn.body;
    if (body.type === 'BlockStatement') {
      hoistVars(body.body, scope);
      declareLexical(body.body, scope);
    }
    for (const p of fn.params) this.walkPattern(p, scope, true);
    if (body.type === 'BlockStatement') for (const s of body.body) this.walk(s, scope);
    else this.walk(body, scope);
  }

  /** Visits what a pattern evaluates: defaults, computed keys and (for assignments) its targets. */
  private walkPattern(p: A.Pattern, scope: Scope, binding: boolean): void {
    switch (p.type) {
      case 'Identifier':
        if (!binding) this.ref(p.name, scope);
        return;
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') {
            this.walkPattern(prop, scope, binding);
          } else {
            if (prop.computed) this.walk(prop.key, scope);
            this.walkPattern(prop.value, scope, binding);
          }
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements) if (el !== null) this.walkPattern(el, scope, binding);
        return;
      case 'RestElement':
        this.walkPattern(p.argument, scope, binding);
        return;
      case 'AssignmentPattern':
        this.walkPattern(p.left, scope, binding);
        this.walk(p.right, scope);
        return;
      case 'MemberExpression':
        this.walk(p, scope);
        return;
    }
  }

  private walkStatements(stmts: readonly A.Statement[], scope: Scope): void {
    declareLexical(stmts, scope);
    for (const s of stmts) this.walk(s, scope);
  }

  private walkClass(cls: A.Class, outer: Scope): void {
    const scope = new Scope(outer);
    if (cls.id) scope.names.add(cls.id.name);
    if (cls.superClass) this.walk(cls.superClass, scope);
    for (const member of cls.body.body) {
      if (member.type === 'StaticBlock') {
        const block = new Scope(scope);
        hoistVars(member.body, block);
        this.walkStatements(member.body, block);
        continue;
      }
      if (member.computed) this.walk(member.key, scope);
      if (member.type === 'MethodDefinition') this.walkFunction(member.value, scope);
      else if (member.value) this.walk(member.value, new Scope(scope));
    }
  }

  walk(node: A.AnyNode, scope: Scope): void {
    switch (node.type) {
      case 'Identifier':
        this.ref(node.name, scope);
        return;
      case 'MemberExpression':
        this.walk(node.object, scope);
        if (node.computed) this.walk(node.property, scope);
        return;
      case 'Property':
        if (node.computed) this.walk(node.key, scope);
        this.walk(node.value, scope);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'FunctionDeclaration':
        this.walkFunction(node, scope);
        return;
      case 'ClassExpression':
      case 'ClassDeclaration':
        this.walkClass(node, scope);
        return;
      case 'VariableDeclaration':
        for (const d of node.declarations) {
          this.walkPattern(d.id, scope, true);
          if (d.init) this.walk(d.init, scope);
        }
        return;
      case 'AssignmentExpression':
        this.walkPattern(node.left, scope, false);
        this.walk(node.right, scope);
        return;
      case 'LabeledStatement':
        this.walk(node.body, scope);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
      case 'ThisExpression':
      case 'Super':
      case 'Literal':
      case 'PrivateIdentifier':
        return;
      default:
        if (!this.walkScoping(node, scope)) this.walkChildren(node, scope);
    }
  }

  /** Statements that open a scope of their own; false for any other node. */
  private walkScoping(node: A.AnyNode, scope: Scope): boolean {
    switch (node.type) {
      case 'BlockStatement':
        this.walkStatements(node.body, new Scope(scope));
        return true;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        this.walkLoop(node, new Scope(scope));
        return true;
      case 'SwitchStatement': {
        this.walk(node.discriminant, scope);
        const inner = new Scope(scope);
        for (const c of node.cases) declareLexical(c.consequent, inner);
        for (const c of node.cases) {
          if (c.test) this.walk(c.test, inner);
          for (const s of c.consequent) this.walk(s, inner);
        }
        return true;
      }
      case 'CatchClause': {
        const inner = new Scope(scope);
        if (node.param) {
          declarePattern(node.param, inner);
          this.walkPattern(node.param, inner, true);
        }
        this.walk(node.body, inner);
        return true;
      }
      default:
        return false;
    }
  }

  private walkLoop(node: A.ForStatement | A.ForInStatement | A.ForOfStatement, scope: Scope): void {
    const head = node.type === 'ForStatement' ? node.init : node.left;
    if (head?.type === 'VariableDeclaration') {
      if (head.kind !== 'var') for (const d of head.declarations) declarePattern(d.id, scope);
      this.walk(head, scope);
    } else if (node.type === 'ForStatement') {
      if (head) this.walk(head, scope);
    } else {
      this.walkPattern(node.left as A.Pattern, scope, false);
    }
    if (node.type === 'ForStatement') {
      if (node.test) this.walk(node.test, scope);
      if (node.update) this.walk(node.update, scope);
    } else {
      this.walk(node.right, scope);
    }
    this.walk(node.body, scope);
  }

  /** Every other node: visit each child node in source order. */
  private walkChildren(node: A.AnyNode, scope: Scope): void {
    const fields = node as unknown as Record<string, unknown>;
    for (const key in fields) {
      if (NOT_CHILDREN.has(key)) continue;
      const value = fields[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) this.walk(item, scope);
      } else if (isNode(value)) {
        this.walk(value, scope);
      }
    }
  }
}
