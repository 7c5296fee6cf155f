#!/usr/bin/env node
/*
 * `dask-ts scheduler` and `dask-ts worker` (the package's bin; Dask's `dask scheduler` and
 * `dask worker`). Each command parses its flags (cli-args.ts), starts a SchedulerServer or a
 * DistributedWorker, prints one stable line on stdout, then runs until a signal or its end:
 *
 *   dask-ts scheduler at ws://127.0.0.1:8786 token <hex>        (then, with --scheduler-file:)
 *   dask-ts scheduler file /path/to/scheduler.json
 *   dask-ts worker at ws://127.0.0.1:40123 (name) connected to ws://127.0.0.1:8786
 *
 * Everything else (workers joining and leaving, notes, errors) goes to stderr. A worker finds its
 * scheduler from the ADDRESS argument, else the scheduler file (waited for, up to --death-timeout,
 * as on a cluster whose workers may start before the scheduler); its token from --token, else
 * the scheduler file, else $DASK_TS_TOKEN.
 *
 * Exit codes (the worker's are worker-main.ts's): 0 after a clean close (SIGTERM or SIGINT; a
 * second signal exits at once with 1), 1 when the command could not start, 2 for a command-line
 * mistake, 70 when a task killed the worker, 75 when the scheduler shut down (or, under a nanny,
 * could not be reached again), 76 when the connection to it was lost (--no-nanny).
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DaskError } from '../../src/core/errors.js';
import {
  helpText,
  nonEmpty,
  parseArgs,
  positiveSeconds,
  UsageError,
  usageHint,
  wantsHelp,
  wholeNumber,
  type CommandSpec,
  type ParsedArgs,
} from './cli-args.js';
import { packageVersion } from './connection.js';
import { parseBytes } from './local-cluster.js';
import { SchedulerServer, type SchedulerServerOptions } from './server.js';
import { checkBind } from './bind.js';
import { DEFAULT_DASHBOARD_PORT } from './dashboard/dashboard-address.js';
import { Nanny } from './nanny.js';
import { DistributedWorker, WORKER_EXIT_CODES, type WorkerOptions } from './worker.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** How long a close may take after a signal before the process exits anyway. */
const CLOSE_GRACE_MS = 10_000;
const DEFAULT_DEATH_TIMEOUT_S = 10;
const TOKEN_ENV = 'DASK_TS_TOKEN';

const EXIT_NOTE = 'Exit codes: 0 clean close (SIGTERM/SIGINT), 1 could not start, 2 command-line mistake';

const SCHEDULER: CommandSpec = {
  name: 'scheduler',
  usage: 'scheduler [options]',
  summary: 'Start a dask-ts scheduler. Prints "dask-ts scheduler at ADDRESS token TOKEN" as its first line on stdout.',
  positionals: [],
  flags: [
    {
      name: 'host',
      value: 'HOST',
      example: '127.0.0.1',
      help: 'Interface to bind (default 127.0.0.1). Any other needs --insecure.',
    },
    {
      name: 'port',
      value: 'PORT',
      example: '8786',
      help: 'Port to listen on (default 8786; 0 picks a free port, printed on stdout).',
    },
    {
      name: 'dashboard-port',
      value: 'PORT',
      example: '8787',
      help: 'Serve the dashboard here (default 8787, or a free port if taken; 0 = any free port).',
    },
    {
      name: 'scheduler-file',
      value: 'PATH',
      example: 'scheduler.json',
      help: 'Write {address, token} here (mode 0600) for workers; removed on close.',
    },
    {
      name: 'token',
      value: 'TOKEN',
      example: '<hex>',
      help: `Shared secret for clients and workers (default $${TOKEN_ENV}, else random).`,
    },
    { name: 'insecure', help: 'Allow a non-loopback --host: there is no TLS, the token crosses the network in clear.' },
  ],
  notes: [`${EXIT_NOTE}.`],
};

const WORKER: CommandSpec = {
  name: 'worker',
  usage: 'worker [ADDRESS] [options]',
  summary:
    'Start a dask-ts worker. Prints "dask-ts worker at ADDRESS (NAME) connected to SCHEDULER" on stdout once connected.',
  positionals: [{ name: 'ADDRESS', help: 'The scheduler, e.g. ws://127.0.0.1:8786 (optional with --scheduler-file).' }],
  flags: [
    {
      name: 'scheduler-file',
      value: 'PATH',
      example: 'scheduler.json',
      help: 'Read the address and token the scheduler wrote (waits for the file).',
    },
    {
      name: 'token',
      value: 'TOKEN',
      example: '<hex>',
      help: `The scheduler's token (default: the scheduler file, else $${TOKEN_ENV}).`,
    },
    {
      name: 'nthreads',
      value: 'N',
      example: '4',
      help: `Threads running tasks (default: this machine's cores, ${availableParallelism()}).`,
    },
    {
      name: 'memory-limit',
      value: 'BYTES',
      example: '2GB',
      help: 'e.g. 2GB, 512MiB, 0.5 (of this machine), 0 (none); default auto (the share of nthreads).',
    },
    {
      name: 'local-directory',
      value: 'DIR',
      example: '/tmp/dask-ts',
      help: 'Where results spill to disk past the memory limit (created if missing; default the OS temp folder).',
    },
    {
      name: 'death-timeout',
      value: 'SECONDS',
      example: '60',
      help: `Keep trying to reach the scheduler this long when starting (default ${DEFAULT_DEATH_TIMEOUT_S}).`,
    },
    { name: 'name', value: 'NAME', example: 'worker-1', help: 'Name of this worker (default: host-pid-random).' },
    {
      name: 'host',
      value: 'HOST',
      example: '127.0.0.1',
      help: 'Interface for peers to fetch data from (default 127.0.0.1). Any other needs --insecure.',
    },
    { name: 'insecure', help: 'Allow a non-loopback --host (no TLS: the token crosses the network in clear).' },
    {
      name: 'no-nanny',
      help: 'Run the worker in this process, without a nanny that restarts it when it dies or outgrows --memory-limit.',
    },
  ],
  notes: [
    `${EXIT_NOTE}, 70 a task killed the worker, 75 the scheduler shut down or stayed unreachable, 76 the connection to it was lost (--no-nanny).`,
  ],
};

const TOP_HELP = `Usage: dask-ts <command> [options]

Commands:
  scheduler   Start a scheduler:  dask-ts scheduler --port 8786 --scheduler-file scheduler.json
  worker      Start a worker:     dask-ts worker ws://127.0.0.1:8786 --token TOKEN --nthreads 4
                                  dask-ts worker --scheduler-file scheduler.json

Run \`dask-ts <command> --help\` for its options. Clients connect with
Client.connect(address, { token }) from 'dask-ts/distributed'.
`;

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === '--help' || command === '-h' || command === 'help') return await finish(0, TOP_HELP);
    if (command === '--version') return await finish(0, `${packageVersion()}\n`);
    if (command === 'scheduler') return await runScheduler(rest);
    if (command === 'worker') return await runWorker(rest);
    throw new UsageError(
      undefined,
      command === undefined
        ? 'which command? dask-ts scheduler or dask-ts worker'
        : `unknown command ${JSON.stringify(command)}; use scheduler or worker`,
    );
  } catch (e) {
    const who = command === 'scheduler' || command === 'worker' ? `dask-ts ${command}` : 'dask-ts';
    if (e instanceof UsageError) return await finish(EXIT_USAGE, '', `${who}: ${e.message}\n\n${usageHint(e.command)}`);
    return await finish(EXIT_FAILED, '', `${who}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

// ---- scheduler ----

async function runScheduler(argv: readonly string[]): Promise<void> {
  if (wantsHelp(argv)) return finish(0, helpText(SCHEDULER));
  const { options } = schedulerOptions(parseArgs(SCHEDULER, argv));
  const stop = stopSignal();
  const started = await Promise.race([SchedulerServer.start(options), stop]);
  if (typeof started === 'string') return finish(0);
  const server = started;
  process.stdout.write(`dask-ts scheduler at ${server.address} token ${server.token}\n`);
  if (options.schedulerFile !== undefined) process.stdout.write(`dask-ts scheduler file ${options.schedulerFile}\n`);
  if (server.dashboardLink !== undefined) process.stdout.write(`dask-ts scheduler dashboard ${server.dashboardLink}\n`);
  server.on('worker-added', (w) =>
    log('scheduler', `worker ${w.name} joined from ${w.address} (${w.nthreads} thread${w.nthreads === 1 ? '' : 's'})`),
  );
  server.on('worker-removed', (address, why) => log('scheduler', `worker at ${address} left: ${why}`));
  await stop;
  await closeWithin('scheduler', server.close());
  if (options.schedulerFile !== undefined) removeSchedulerFile(options.schedulerFile, server.address);
  return finish(0);
}

function schedulerOptions(args: ParsedArgs): { options: SchedulerServerOptions } {
  const file = nonEmpty(SCHEDULER, args, 'scheduler-file');
  if (file !== undefined && !existsSync(dirname(resolve(file)))) {
    throw new UsageError(
      SCHEDULER,
      `--scheduler-file ${file}: the folder ${dirname(resolve(file))} does not exist; create it or choose another path`,
    );
  }
  const options: SchedulerServerOptions = {
    port: wholeNumber(SCHEDULER, args, 'port', 0, 65535) ?? 8786,
    insecure: args.switches.has('insecure'),
    ...optional('host', nonEmpty(SCHEDULER, args, 'host')),
    ...optional('token', nonEmpty(SCHEDULER, args, 'token') ?? envToken()),
    ...optional('schedulerFile', file === undefined ? undefined : resolve(file)),
  };
  const dashboardPort = wholeNumber(SCHEDULER, args, 'dashboard-port', 0, 65535);
  const dashboard = {
    host: options.host ?? '127.0.0.1',
    port: dashboardPort ?? DEFAULT_DASHBOARD_PORT,
    ...(dashboardPort === undefined ? { onPortInUse: 'free-port' as const } : {}),
  };
  return { options: { ...options, dashboard } };
}

/** Deletes the scheduler file on close, as Dask does, unless another scheduler has rewritten it. */
function removeSchedulerFile(path: string, address: string): void {
  try {
    const written = JSON.parse(readFileSync(path, 'utf8')) as { address?: unknown };
    if (written.address === address) unlinkSync(path);
  } catch {
    // Already gone or not ours: leave it.
  }
}

// ---- worker ----

interface WorkerPlan {
  readonly address: string | undefined;
  readonly token: string | undefined;
  readonly schedulerFile: string | undefined;
  readonly localDirectory: string | undefined;
  readonly deathTimeoutMs: number;
  readonly options: Omit<WorkerOptions, 'scheduler' | 'token' | 'deathTimeoutMs'>;
}

async function runWorker(argv: readonly string[]): Promise<void> {
  if (wantsHelp(argv)) return finish(0, helpText(WORKER));
  const args = parseArgs(WORKER, argv);
  const plan = workerPlan(args);
  const stop = stopSignal();
  if (!args.switches.has('no-nanny')) return runNanny(plan, stop);
  const started = await Promise.race([startWorker(plan), stop]);
  if (typeof started === 'string') return finish(0);
  const { worker, scheduler } = started;
  process.stdout.write(`dask-ts worker at ${worker.address} (${worker.name}) connected to ${scheduler}\n`);
  if (plan.options.host === '0.0.0.0')
    log('worker', `peers on other machines cannot reach ${worker.address}; give --host this machine's address`);
  void stop.then(() => closeWithin('worker', worker.close()));
  const reason = await worker.closed;
  if (reason === 'scheduler-lost' || reason === 'scheduler-closed')
    log('worker', `lost the scheduler at ${scheduler}; stopping`);
  return finish(WORKER_EXIT_CODES[reason]);
}

/** Checks every flag before anything starts; a mistake is a UsageError. */
function workerPlan(args: ParsedArgs): WorkerPlan {
  const file = nonEmpty(WORKER, args, 'scheduler-file');
  const given = args.positionals[0];
  const address = given === undefined ? undefined : schedulerAddress(given);
  const token = nonEmpty(WORKER, args, 'token') ?? (file === undefined ? envToken() : undefined);
  if (address === undefined && file === undefined) {
    throw new UsageError(
      WORKER,
      'which scheduler? give its address (dask-ts worker ws://127.0.0.1:8786) or --scheduler-file PATH',
    );
  }
  if (token === undefined && file === undefined) {
    throw new UsageError(
      WORKER,
      `the scheduler's token is missing: pass --token TOKEN (the scheduler prints it), set ${TOKEN_ENV}, or use --scheduler-file PATH`,
    );
  }
  const host = nonEmpty(WORKER, args, 'host');
  if (host !== undefined) checkBind(host, args.switches.has('insecure'), 'worker');
  const nthreads = wholeNumber(WORKER, args, 'nthreads', 1, 1024) ?? availableParallelism();
  const dir = nonEmpty(WORKER, args, 'local-directory');
  return {
    address,
    token,
    schedulerFile: file === undefined ? undefined : resolve(file),
    localDirectory: dir === undefined ? undefined : resolve(dir),
    deathTimeoutMs: 1000 * (positiveSeconds(WORKER, args, 'death-timeout') ?? DEFAULT_DEATH_TIMEOUT_S),
    options: {
      nthreads,
      memoryLimit: memoryLimit(args.values.get('memory-limit'), nthreads),
      ...optional('name', nonEmpty(WORKER, args, 'name')),
      ...optional('host', host),
      ...optional('localDirectory', dir === undefined ? undefined : resolve(dir)),
      insecure: args.switches.has('insecure'),
    },
  };
}

/** ws://host:port from what the user typed ('host:port' gets ws:// in front). */
function schedulerAddress(text: string): string {
  const address = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `ws://${text}`;
  let url: URL | undefined;
  try {
    url = new URL(address);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'ws:' || url.hostname === '') {
    throw new UsageError(
      WORKER,
      `cannot read the scheduler address ${JSON.stringify(text)}: write it as the scheduler printed it, e.g. ws://127.0.0.1:8786`,
    );
  }
  return address;
}

/** Bytes, as Dask reads --memory-limit: 'auto', a fraction of this machine (0.5), 0 for none, or '2GB'. */
function memoryLimit(text: string | undefined, nthreads: number): number {
  if (text === undefined || text === 'auto')
    return Math.floor(totalmem() * Math.min(1, nthreads / availableParallelism()));
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1) return Math.floor(n * totalmem());
  try {
    return parseBytes(text);
  } catch {
    throw new UsageError(
      WORKER,
      `--memory-limit cannot read ${JSON.stringify(text)}; write e.g. --memory-limit 2GB (or 512MiB, 0.5 for half this machine, auto, 0 for no limit)`,
    );
  }
}

/** Where the worker connects, and with which token (from the flags or the scheduler file). */
async function resolveScheduler(plan: WorkerPlan, deadline: number): Promise<{ scheduler: string; token: string }> {
  if (plan.localDirectory !== undefined) makeDirectory(plan.localDirectory);
  const fromFile = plan.schedulerFile === undefined ? undefined : await readSchedulerFile(plan.schedulerFile, deadline);
  const scheduler = plan.address ?? fromFile?.address;
  const token = plan.token ?? fromFile?.token;
  if (scheduler === undefined || token === undefined)
    throw new DaskError('DASK_ERR_CONFIG', 'no scheduler address or token');
  return { scheduler, token };
}

/** The worker under a nanny (nanny.ts) in this process: restarted when it dies or outgrows its memory limit. */
async function runNanny(plan: WorkerPlan, stop: Promise<string>): Promise<void> {
  const deadline = Date.now() + plan.deathTimeoutMs;
  const { scheduler, token } = await resolveScheduler(plan, deadline);
  const started = await Promise.race([
    Nanny.start({ ...plan.options, scheduler, token, deathTimeoutMs: Math.max(1000, deadline - Date.now()) }),
    stop,
  ]);
  if (typeof started === 'string') return finish(0);
  const nanny = started;
  const w = nanny.worker!;
  process.stdout.write(`dask-ts worker at ${w.address} (${w.name}) connected to ${scheduler}\n`);
  nanny.on('restart', (why) => log('worker', `the worker ${why}; the nanny starts a new one`));
  nanny.on('ready', (r) => log('worker', `worker ${r.name} at ${r.address} joined again`));
  void stop.then(() => closeWithin('worker', nanny.close()));
  const code = await nanny.ended;
  if (code === WORKER_EXIT_CODES['scheduler-closed']) log('worker', `lost the scheduler at ${scheduler}; stopping`);
  return finish(code);
}

async function startWorker(plan: WorkerPlan): Promise<{ worker: DistributedWorker; scheduler: string }> {
  const deadline = Date.now() + plan.deathTimeoutMs;
  const { scheduler, token } = await resolveScheduler(plan, deadline);
  const worker = await DistributedWorker.start({
    ...plan.options,
    scheduler,
    token,
    deathTimeoutMs: Math.max(1000, deadline - Date.now()),
  });
  return { worker, scheduler };
}

function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new DaskError(
      'DASK_ERR_CONFIG',
      `cannot create --local-directory ${dir}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

type FileRead = { ok: true; address: string; token: string } | { ok: false; why: string; retry: boolean };

/** The scheduler file's {address, token}; waits for it to appear (and be complete) until the deadline. */
async function readSchedulerFile(path: string, deadline: number): Promise<{ address: string; token: string }> {
  const started = Date.now();
  for (let waited = false; ; waited = true) {
    const got = tryReadSchedulerFile(path);
    if (got.ok) return got;
    if (!got.retry || Date.now() + 100 > deadline) {
      const waitedFor = waited
        ? ` (waited ${((Date.now() - started) / 1000).toFixed(1)} s; --death-timeout sets how long)`
        : '';
      throw new DaskError('DASK_ERR_CONFIG', `cannot use the scheduler file ${path}: ${got.why}${waitedFor}`);
    }
    if (!waited) log('worker', `waiting for the scheduler file ${path}: ${got.why}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tryReadSchedulerFile(path: string): FileRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      why: missing ? 'it does not exist (yet)' : e instanceof Error ? e.message : String(e),
      retry: missing,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, why: 'it is not JSON {"address", "token"} (yet)', retry: true };
  }
  const { address, token } = (typeof data === 'object' && data !== null ? data : {}) as {
    address?: unknown;
    token?: unknown;
  };
  if (typeof address !== 'string' || typeof token !== 'string' || address === '' || token === '') {
    return { ok: false, why: 'it has no string "address" and "token"', retry: true };
  }
  return { ok: true, address, token };
}

// ---- process plumbing ----

/** Resolves with the first SIGTERM/SIGINT; a second one exits at once. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolvePromise) => {
    let received = false;
    const on = (signal: NodeJS.Signals): void => {
      if (received) {
        process.stderr.write(`dask-ts: ${signal} again; exiting without a clean close\n`);
        process.exit(EXIT_FAILED);
      }
      received = true;
      resolvePromise(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** Awaits a close; one that hangs past the grace period ends the process with code 1. */
async function closeWithin(who: 'scheduler' | 'worker', closing: Promise<void>): Promise<void> {
  const timer = setTimeout(() => {
    log(who, `did not close within ${CLOSE_GRACE_MS / 1000} s; exiting`);
    process.exit(EXIT_FAILED);
  }, CLOSE_GRACE_MS);
  timer.unref();
  await closing;
  clearTimeout(timer);
}

function log(who: 'scheduler' | 'worker', message: string): void {
  process.stderr.write(`dask-ts ${who}: ${message}\n`);
}

function envToken(): string | undefined {
  const token = process.env[TOKEN_ENV];
  return token === undefined || token === '' ? undefined : token;
}

/** {key: value}, or {} when value is undefined (for exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>);
}

/** Writes the last words, waits until stdout and stderr have taken them, then exits. */
async function finish(code: number, out = '', err = ''): Promise<void> {
  await Promise.all([
    new Promise<void>((r) => process.stdout.write(out, () => r())),
    new Promise<void>((r) => process.stderr.write(err, () => r())),
  ]);
  process.exit(code);
}

void main(process.argv.slice(2));
