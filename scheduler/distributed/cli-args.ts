/*
 * The argument parser of `dask-ts scheduler|worker` (cli.ts). A command is described once, as a
 * CommandSpec: its usage line, its positional arguments and its flags; that description drives
 * both parsing and the --help text, so the two cannot drift apart.
 *
 * Grammar: `--flag value`, `--flag=value`, `--switch`, `--` ends the options, `-h`/`--help`
 * anywhere asks for help. A mistake is a UsageError (exit code 2) whose message names the flag
 * and says how to write it: an unknown flag (with the closest known one), a missing value, a value
 * given to a switch, a flag given twice, too many positionals, a number that is not one.
 * Values stay strings here; the typed readers below (wholeNumber, positiveSeconds) convert them
 * and name the flag when they cannot.
 */
import { DaskError } from '../../src/core/errors.js';

export interface FlagSpec {
  /** Without the dashes: 'port'. */
  readonly name: string;
  /** The value's placeholder in help ('PORT'); absent for a switch such as --insecure. */
  readonly value?: string;
  readonly help: string;
  /** A valid example value, quoted in error messages: '8786'. */
  readonly example?: string;
}

export interface CommandSpec {
  /** 'scheduler' or 'worker'. */
  readonly name: string;
  /** One line after `dask-ts`: 'worker [ADDRESS] [options]'. */
  readonly usage: string;
  readonly summary: string;
  /** Positional arguments, in order; at most this many are accepted. */
  readonly positionals: readonly { readonly name: string; readonly help: string }[];
  readonly flags: readonly FlagSpec[];
  /** Paragraphs printed after the options. */
  readonly notes?: readonly string[];
}

export interface ParsedArgs {
  /** Flags given with a value, by name (no dashes). */
  readonly values: ReadonlyMap<string, string>;
  /** Switches given. */
  readonly switches: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/** A mistake on the command line: the CLI prints it with the usage line and exits with code 2. */
export class UsageError extends DaskError {
  constructor(
    readonly command: CommandSpec | undefined,
    message: string,
  ) {
    super('DASK_ERR_CONFIG', message);
    this.name = 'UsageError';
  }
}

/** True when argv asks for help (-h or --help before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Parses argv (without the command name) against the spec; throws UsageError on any mistake. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    const flag = findFlag(spec, arg, name);
    if (values.has(name) || switches.has(name)) throw new UsageError(spec, `--${name} is given twice; give it once`);
    if (flag.value === undefined) {
      if (inline !== undefined)
        throw new UsageError(spec, `--${name} is a switch and takes no value; write just --${name}`);
      switches.add(name);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--') && value.length > 2)) {
      throw new UsageError(spec, `--${name} needs a value: ${flagExample(flag)}`);
    }
    values.set(name, value);
    if (inline === undefined) i++;
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals[spec.positionals.length]!;
    const allowed =
      spec.positionals.length === 0
        ? 'takes no positional arguments'
        : `takes at most ${spec.positionals.length} (${spec.positionals.map((p) => p.name).join(', ')})`;
    throw new UsageError(spec, `unexpected argument ${JSON.stringify(extra)}: dask-ts ${spec.name} ${allowed}`);
  }
  return { values, switches, positionals };
}

function findFlag(spec: CommandSpec, arg: string, name: string): FlagSpec {
  const flag = arg.startsWith('--') ? spec.flags.find((f) => f.name === name) : undefined;
  if (flag !== undefined) return flag;
  const shown = arg.split('=')[0]!;
  const near = closest(
    name,
    spec.flags.map((f) => f.name),
  );
  const hint = near === undefined ? `run \`dask-ts ${spec.name} --help\` for the options` : `did you mean --${near}?`;
  throw new UsageError(spec, `unknown option ${shown}; ${hint}`);
}

/** The known name within edit distance 2 (or sharing a prefix of 4+ letters), if any. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(name, k);
    if (best === undefined || d < best.d) best = { name: k, d };
  }
  if (best !== undefined && best.d <= 2) return best.name;
  return name.length >= 4 ? known.find((k) => k.startsWith(name) || name.startsWith(k)) : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function flagExample(flag: FlagSpec): string {
  return `--${flag.name} ${flag.example ?? flag.value ?? 'VALUE'}`;
}

/** A whole number in [min, max] from flag `name`, or undefined when the flag was not given. */
export function wholeNumber(
  spec: CommandSpec,
  args: ParsedArgs,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = args.values.get(name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      spec,
      `--${name} needs a whole number from ${min} to ${max}, got ${JSON.stringify(text)}; e.g. ${exampleOf(spec, name)}`,
    );
  }
  return n;
}

/** A number of seconds (> 0, fractions allowed) from flag `name`, or undefined when not given. */
export function positiveSeconds(spec: CommandSpec, args: ParsedArgs, name: string): number | undefined {
  const text = args.values.get(name);
  if (text === undefined) return undefined;
  const n = Number(text.replace(/\s*s$/, ''));
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(
      spec,
      `--${name} needs a number of seconds greater than 0, got ${JSON.stringify(text)}; e.g. ${exampleOf(spec, name)}`,
    );
  }
  return n;
}

/** A non-empty string from flag `name`, or undefined when not given. */
export function nonEmpty(spec: CommandSpec, args: ParsedArgs, name: string): string | undefined {
  const text = args.values.get(name);
  if (text !== undefined && text.trim() === '')
    throw new UsageError(spec, `--${name} needs a non-empty value; e.g. ${exampleOf(spec, name)}`);
  return text;
}

function exampleOf(spec: CommandSpec, name: string): string {
  const flag = spec.flags.find((f) => f.name === name);
  return flag === undefined ? `--${name} VALUE` : flagExample(flag);
}

/** The full --help text of a command. */
export function helpText(spec: CommandSpec): string {
  const rows: [string, string][] = [
    ...spec.positionals.map((p): [string, string] => [p.name, p.help]),
    ...spec.flags.map((f): [string, string] => [
      f.value === undefined ? `--${f.name}` : `--${f.name} ${f.value}`,
      f.help,
    ]),
    ['-h, --help', 'Show this help and exit.'],
  ];
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [`Usage: dask-ts ${spec.usage}`, '', spec.summary, '', 'Options:'];
  for (const [left, help] of rows) lines.push(`  ${left.padEnd(width)}${help}`);
  for (const note of spec.notes ?? []) lines.push('', note);
  return `${lines.join('\n')}\n`;
}

/** The short text printed under a usage error. */
export function usageHint(spec: CommandSpec | undefined): string {
  if (spec === undefined)
    return 'Usage: dask-ts scheduler [options] | dask-ts worker [ADDRESS] [options]\nRun `dask-ts --help` for more.\n';
  return `Usage: dask-ts ${spec.usage}\nRun \`dask-ts ${spec.name} --help\` for every option.\n`;
}
