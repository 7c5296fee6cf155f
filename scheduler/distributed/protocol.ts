/*
 * The distributed wire protocol: every message between client, scheduler and workers is one
 * member of the tagged union `Message` (field `op`), sent as an envelope = a JSON header (the
 * message) plus raw byte frames. Binary payloads (task args, data values) are `EncodedValue`s:
 * a frames.ts header (`toFrames(value).header`) whose frame numbers index into `frames`, which
 * lists positions in the envelope's frame list. `checkFrameRefs` checks those positions.
 *
 * Conversations (→ request, ← reply):
 *   handshake   any → scheduler/worker: hello {role, token, version, nodeMajor, id}
 *               ← welcome {version, nodeMajor, id} | refused {reason}   (checkHandshake)
 *   client      → scheduler: update-graph, release-keys, cancel-keys, who-has, scatter (registers
 *               data the client put on a worker with put-data), get-workers, heartbeat-client,
 *               close-client; ← key-in-memory, task-erred, key-cancelled, who-has-reply,
 *               lost-data (a key reported in memory is gone and is being recomputed), workers
 *   scheduler   → worker: compute-task, free-keys, cancel-compute, steal-request
 *   worker      → scheduler: register-worker, task-finished, task-erred, heartbeat, missing-data,
 *               add-keys (replicas it fetched), release-worker-data, steal-response
 *   peer        worker or client → worker: get-data {id, keys} ← get-data-reply {id, data, missing};
 *               client → worker: put-data {id, data} ← put-data-reply {id, keys}
 *
 * Priorities are number tuples compared element by element; the smaller one runs sooner.
 *
 * Receiving, in this order, before any handler runs: (1) `checkFrameSizes` on the sizes announced
 * by the transport, before allocating (HANDSHAKE_FRAME_LIMITS until the hello is accepted, then
 * FRAME_LIMITS); (2) JSON.parse the header; (3) `validateMessage(raw, {accept: <ops this side
 * takes from that peer>})`, which checks the type and size of every field of every op and names
 * the op and field on error (the combinators are in protocol-checks.ts); (4)
 * `checkFrameRefs(msg, frames.length)`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DaskError } from '../../src/core/errors.js';
import type { Key } from '../../src/core/graph/task.js';
import type { FnRef } from '../../src/core/serialize/fn-ref.js';
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';
import type { JsonValue } from '../../src/core/serialize/codec-registry.js';
import {
  bool,
  dict,
  finite,
  json,
  list,
  mustBe,
  oneOf,
  opt,
  shape,
  str,
  tagged,
  whole,
  type Check,
  type Fields,
  type MessageLimits,
} from './protocol-checks.js';

export type { Key, FnRef, ErrorRecord };
/** A worker's listening address, e.g. "ws://127.0.0.1:40123". */
export type Address = string;
export type ClientId = string;
/** Compared element by element; the smaller runs sooner. */
export type Priority = readonly number[];
/** A value as a frames.ts header; its frame numbers are positions in `frames`, which index the envelope's frames. */
export interface EncodedValue {
  readonly header: string;
  readonly frames: readonly number[];
}
/** One task of an update-graph. `args` refer to other keys through TaskRefs (listed again in `deps`). */
export interface TaskSpec {
  readonly key: Key;
  readonly fn: FnRef;
  readonly args: EncodedValue;
  readonly deps: readonly Key[];
  /** User priority: higher runs sooner (Dask's convention). Default 0. */
  readonly priority?: number;
  /** How many times a failing task is run again before it errs. Default 0. */
  readonly retries?: number;
  /** Milliseconds the task may run before its thread is stopped (TaskTimeoutError; retried if it has retries). */
  readonly timeout?: number;
}
export interface KeyBytes {
  readonly key: Key;
  readonly nbytes: number;
  readonly typeName?: string;
}
export interface WorkerMetrics {
  readonly executing: number;
  /** Bytes of task results held. */
  readonly memory: number;
  readonly ready: number;
  readonly inFlight: number;
  /** Bytes of results written to disk, and how many were written. */
  readonly spilled?: number;
  readonly spillCount?: number;
  /** Resident set size of the worker process, bytes. */
  readonly rss?: number;
  readonly paused?: boolean;
  /** CPU use of the worker process (all threads) since the last heartbeat, percent of one core. */
  readonly cpu?: number;
}
export interface WorkerInfo {
  readonly address: Address;
  readonly name: string;
  readonly nthreads: number;
  /** Bytes; 0 means no limit. */
  readonly memoryLimit: number;
  readonly pid: number;
}
export type WhoHas = Readonly<Record<Key, readonly Address[]>>;
export type Role = 'client' | 'worker' | 'scheduler';

// handshake
export interface Hello {
  readonly op: 'hello';
  readonly role: Role;
  readonly token: string;
  readonly version: string;
  readonly nodeMajor: number;
  readonly id: string;
}
/** `dashboard`: the scheduler's dashboard URL, when it serves one (so a client connected by address can show it). */
export interface Welcome {
  readonly op: 'welcome';
  readonly version: string;
  readonly nodeMajor: number;
  readonly id: string;
  readonly dashboard?: string;
}
export interface Refused {
  readonly op: 'refused';
  readonly reason: string;
}
// client → scheduler
export interface UpdateGraph {
  readonly op: 'update-graph';
  readonly tasks: readonly TaskSpec[];
  readonly keys: readonly Key[];
}
export interface ReleaseKeys {
  readonly op: 'release-keys';
  readonly keys: readonly Key[];
}
export interface CancelKeys {
  readonly op: 'cancel-keys';
  readonly keys: readonly Key[];
  readonly force?: boolean;
}
export interface WhoHasRequest {
  readonly op: 'who-has';
  readonly keys: readonly Key[];
}
export interface Scatter {
  readonly op: 'scatter';
  readonly worker: Address;
  readonly keys: readonly KeyBytes[];
}
export interface GetWorkers {
  readonly op: 'get-workers';
}
export interface HeartbeatClient {
  readonly op: 'heartbeat-client';
}
export interface CloseClient {
  readonly op: 'close-client';
}
// scheduler → client
/** `workers` hold the value (so the client can fetch it without a who-has). */
export interface KeyInMemory {
  readonly op: 'key-in-memory';
  readonly key: Key;
  readonly nbytes: number;
  readonly typeName?: string;
  readonly workers?: readonly Address[];
}
/** When and where a task ran on its worker: epoch milliseconds, and the worker's thread slot (0 .. nthreads-1). */
export interface TaskTiming {
  readonly start: number;
  readonly stop: number;
  readonly thread: number;
}
/** Scheduler → client, and worker → scheduler (with `timing`). `error.key` names the task that failed first. */
export interface TaskErred {
  readonly op: 'task-erred';
  readonly key: Key;
  readonly error: ErrorRecord;
  readonly timing?: TaskTiming;
}
export interface KeyCancelled {
  readonly op: 'key-cancelled';
  readonly key: Key;
}
export interface WhoHasReply {
  readonly op: 'who-has-reply';
  readonly whoHas: WhoHas;
}
export interface LostData {
  readonly op: 'lost-data';
  readonly key: Key;
}
export interface Workers {
  readonly op: 'workers';
  readonly workers: readonly WorkerInfo[];
}
// scheduler → worker
export interface ComputeTask {
  readonly op: 'compute-task';
  readonly key: Key;
  readonly fn: FnRef;
  readonly args: EncodedValue;
  /** Every dependency and the workers holding it. */
  readonly whoHas: WhoHas;
  /** Sizes of the dependencies, so the worker can bound how many bytes one gather brings. */
  readonly nbytes?: Readonly<Record<Key, number>>;
  /** See TaskSpec.timeout. */
  readonly timeout?: number;
  readonly priority: Priority;
}
export interface FreeKeys {
  readonly op: 'free-keys';
  readonly keys: readonly Key[];
}
export interface CancelCompute {
  readonly op: 'cancel-compute';
  readonly key: Key;
}
export interface StealRequest {
  readonly op: 'steal-request';
  readonly key: Key;
}
// worker → scheduler
export interface RegisterWorker extends WorkerInfo {
  readonly op: 'register-worker';
}
export interface TaskFinished {
  readonly op: 'task-finished';
  readonly key: Key;
  readonly nbytes: number;
  readonly typeName?: string;
  readonly timing?: TaskTiming;
}
export interface Heartbeat {
  readonly op: 'heartbeat';
  readonly metrics: WorkerMetrics;
}
export interface MissingData {
  readonly op: 'missing-data';
  readonly key: Key;
  readonly errantWorker: Address;
}
export interface AddKeys {
  readonly op: 'add-keys';
  readonly keys: readonly KeyBytes[];
}
export interface ReleaseWorkerData {
  readonly op: 'release-worker-data';
  readonly keys: readonly Key[];
}
/** A worker paused (memory above its pause threshold: it starts no new task) or runs again. */
export interface WorkerStatus {
  readonly op: 'worker-status';
  readonly status: 'running' | 'paused';
}
export interface StealResponse {
  readonly op: 'steal-response';
  readonly key: Key;
  readonly accepted: boolean;
}
// peer
export interface GetData {
  readonly op: 'get-data';
  readonly id: number;
  readonly keys: readonly Key[];
}
export interface GetDataReply {
  readonly op: 'get-data-reply';
  readonly id: number;
  readonly data: Readonly<Record<Key, EncodedValue>>;
  readonly missing: readonly Key[];
}
export interface PutData {
  readonly op: 'put-data';
  readonly id: number;
  readonly data: Readonly<Record<Key, EncodedValue>>;
}
export interface PutDataReply {
  readonly op: 'put-data-reply';
  readonly id: number;
  readonly keys: readonly KeyBytes[];
}

export type HandshakeMessage = Hello | Welcome | Refused;
export type ClientToScheduler =
  UpdateGraph | ReleaseKeys | CancelKeys | WhoHasRequest | Scatter | GetWorkers | HeartbeatClient | CloseClient;
export type SchedulerToClient = KeyInMemory | TaskErred | KeyCancelled | WhoHasReply | LostData | Workers;
export type SchedulerToWorker = ComputeTask | FreeKeys | CancelCompute | StealRequest;
export type WorkerToScheduler =
  | RegisterWorker
  | TaskFinished
  | TaskErred
  | Heartbeat
  | MissingData
  | AddKeys
  | ReleaseWorkerData
  | StealResponse
  | WorkerStatus;
export type PeerMessage = GetData | GetDataReply | PutData | PutDataReply;
export type Message =
  HandshakeMessage | ClientToScheduler | SchedulerToClient | SchedulerToWorker | WorkerToScheduler | PeerMessage;
export type Op = Message['op'];
export type MessageOf<O extends Op> = Extract<Message, { op: O }>;

/** Which ops each side accepts from each peer: pass one as `accept` to validateMessage. */
export const OPS = {
  handshake: ['hello'],
  handshakeReply: ['welcome', 'refused'],
  clientToScheduler: [
    'update-graph',
    'release-keys',
    'cancel-keys',
    'who-has',
    'scatter',
    'get-workers',
    'heartbeat-client',
    'close-client',
  ],
  schedulerToClient: ['key-in-memory', 'task-erred', 'key-cancelled', 'who-has-reply', 'lost-data', 'workers'],
  schedulerToWorker: ['compute-task', 'free-keys', 'cancel-compute', 'steal-request'],
  workerToScheduler: [
    'register-worker',
    'task-finished',
    'task-erred',
    'heartbeat',
    'missing-data',
    'add-keys',
    'release-worker-data',
    'steal-response',
    'worker-status',
  ],
  toWorkerFromPeer: ['get-data', 'put-data'],
  fromWorkerToPeer: ['get-data-reply', 'put-data-reply'],
} as const satisfies Record<string, readonly Op[]>;

export const MESSAGE_LIMITS: MessageLimits = Object.freeze({
  maxKeyLength: 4096,
  maxNameLength: 1024,
  maxTextLength: 1 << 20,
  maxSourceLength: 16 << 20,
  maxItems: 1_000_000,
});

const priority: Check<Priority> = (v, p) =>
  Array.isArray(v) && v.length > 0 && v.length <= 8 && v.every((x) => typeof x === 'number' && Number.isFinite(x))
    ? undefined
    : mustBe(p, 'an array of 1 to 8 finite numbers', v);

// ---- the schema of every op ----

const key = str('maxKeyLength');
const name = str('maxNameLength');
const text = str('maxTextLength');
const source = str('maxSourceLength');
const keys = list(key);
const encoded = shape<EncodedValue>({ header: source, frames: list(whole) });
const fnRef: Check<FnRef> = tagged<FnRef>('kind', {
  module: shape<Extract<FnRef, { kind: 'module' }>>({ kind: oneOf('module'), module: source, export: name }),
  source: shape<Extract<FnRef, { kind: 'source' }>>({ kind: oneOf('source'), source, name, origin: opt(source) }),
});
const MAX_CAUSE_DEPTH = 8;
const errorAt = (depth: number): Check<ErrorRecord> =>
  shape<ErrorRecord>({
    name,
    message: text,
    stack: text,
    code: opt(name),
    key: opt(key),
    props: opt(dict(json)),
    cause: opt(
      depth < MAX_CAUSE_DEPTH
        ? (v, p, l) => errorAt(depth + 1)(v, p, l)
        : (_v, p) => `${p} is nested more than ${MAX_CAUSE_DEPTH} causes deep`,
    ),
  });
const errorRecord = errorAt(0);
const timing = shape<TaskTiming>({ start: finite, stop: finite, thread: whole });
const keyBytes = shape<KeyBytes>({ key, nbytes: whole, typeName: opt(name) });
const whoHas = dict(list(name));
const workerInfo = {
  address: name,
  name,
  nthreads: whole,
  memoryLimit: whole,
  pid: whole,
} satisfies Fields<WorkerInfo>;

type Schemas = { readonly [O in Op]: Fields<Omit<MessageOf<O>, 'op'>> };
const SCHEMAS: Schemas = {
  hello: { role: oneOf('client', 'worker', 'scheduler'), token: name, version: name, nodeMajor: whole, id: name },
  welcome: { version: name, nodeMajor: whole, id: name, dashboard: opt(name) },
  refused: { reason: text },
  'update-graph': {
    tasks: list(
      shape<TaskSpec>({
        key,
        fn: fnRef,
        args: encoded,
        deps: keys,
        priority: opt(finite),
        retries: opt(whole),
        timeout: opt(whole),
      }),
    ),
    keys,
  },
  'release-keys': { keys },
  'cancel-keys': { keys, force: opt(bool) },
  'who-has': { keys },
  scatter: { worker: name, keys: list(keyBytes) },
  'get-workers': {},
  'heartbeat-client': {},
  'close-client': {},
  'key-in-memory': { key, nbytes: whole, typeName: opt(name), workers: opt(list(name)) },
  'task-erred': { key, error: errorRecord, timing: opt(timing) },
  'key-cancelled': { key },
  'who-has-reply': { whoHas },
  'lost-data': { key },
  workers: { workers: list(shape<WorkerInfo>(workerInfo)) },
  'compute-task': { key, fn: fnRef, args: encoded, whoHas, priority, nbytes: opt(dict(whole)), timeout: opt(whole) },
  'free-keys': { keys },
  'cancel-compute': { key },
  'steal-request': { key },
  'register-worker': workerInfo,
  'task-finished': { key, nbytes: whole, typeName: opt(name), timing: opt(timing) },
  heartbeat: {
    metrics: shape<WorkerMetrics>({
      executing: whole,
      memory: whole,
      ready: whole,
      inFlight: whole,
      spilled: opt(whole),
      spillCount: opt(whole),
      rss: opt(whole),
      paused: opt(bool),
      cpu: opt(finite),
    }),
  },
  'missing-data': { key, errantWorker: name },
  'add-keys': { keys: list(keyBytes) },
  'release-worker-data': { keys },
  'steal-response': { key, accepted: bool },
  'worker-status': { status: oneOf('running', 'paused') },
  'get-data': { id: whole, keys },
  'get-data-reply': { id: whole, data: dict(encoded), missing: keys },
  'put-data': { id: whole, data: dict(encoded) },
  'put-data-reply': { id: whole, keys: list(keyBytes) },
};
const CHECKERS = new Map<string, Check<unknown>>(
  Object.entries(SCHEMAS).map(([op, fields]) => [op, shape(fields, ['op'])]),
);

export type Validated<T> = { readonly ok: true; readonly msg: T } | { readonly ok: false; readonly error: string };
export interface ValidateOptions<O extends Op> {
  /** Ops accepted here (see OPS); any other op is refused. Default: every op. */
  readonly accept?: readonly O[];
  readonly limits?: Partial<MessageLimits>;
}

/** Checks the shape, types and sizes of a parsed message; the error text names the op and the field. */
export function validateMessage<O extends Op = Op>(
  raw: unknown,
  options: ValidateOptions<O> = {},
): Validated<MessageOf<O>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      error: `a message must be an object with an "op" field, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`,
    };
  }
  const op = (raw as { op?: unknown }).op;
  if (typeof op !== 'string') return { ok: false, error: 'the message has no string "op" field' };
  const shown = JSON.stringify(op.length > 64 ? `${op.slice(0, 64)}...` : op);
  const check = Object.hasOwn(SCHEMAS, op) ? CHECKERS.get(op) : undefined;
  if (check === undefined) return { ok: false, error: `unknown op ${shown}` };
  const accept: readonly string[] | undefined = options.accept;
  if (accept !== undefined && !accept.includes(op)) {
    return { ok: false, error: `op ${shown} is not accepted here (expected one of: ${accept.join(', ')})` };
  }
  const limits = options.limits === undefined ? MESSAGE_LIMITS : { ...MESSAGE_LIMITS, ...options.limits };
  const error = check(raw, '', limits);
  return error === undefined ? { ok: true, msg: raw as MessageOf<O> } : { ok: false, error: `${op}: ${error}` };
}

/** The EncodedValues a message carries (task args, data values), for frame checks and remapping. */
export function encodedValuesOf(msg: Message): EncodedValue[] {
  switch (msg.op) {
    case 'update-graph':
      return msg.tasks.map((t) => t.args);
    case 'compute-task':
      return [msg.args];
    case 'get-data-reply':
    case 'put-data':
      return Object.values(msg.data);
    default:
      return [];
  }
}

/** `msg` with the frame numbers of its EncodedValues moved up by `offset` (for batching envelopes). */
export function shiftFrames<M extends Message>(msg: M, offset: number): M {
  if (offset === 0) return msg;
  const shift = (v: EncodedValue): EncodedValue => ({ header: v.header, frames: v.frames.map((f) => f + offset) });
  const shiftAll = (d: Readonly<Record<Key, EncodedValue>>): Record<Key, EncodedValue> => {
    const out: Record<Key, EncodedValue> = {};
    for (const k of Object.keys(d)) out[k] = shift(d[k]!);
    return out;
  };
  switch (msg.op) {
    case 'update-graph':
      return { ...msg, tasks: msg.tasks.map((t) => ({ ...t, args: shift(t.args) })) };
    case 'compute-task':
      return { ...msg, args: shift(msg.args) };
    case 'get-data-reply':
    case 'put-data':
      return { ...msg, data: shiftAll(msg.data) };
    default:
      return msg;
  }
}

/** An error when an EncodedValue of `msg` points at a frame the envelope does not have. */
export function checkFrameRefs(msg: Message, frameCount: number): string | undefined {
  for (const v of encodedValuesOf(msg)) {
    for (const f of v.frames) {
      if (f >= frameCount)
        return `${msg.op}: refers to frame ${f}, but the message has ${frameCount} frame${frameCount === 1 ? '' : 's'}`;
    }
  }
  return undefined;
}

export interface FrameLimits {
  readonly maxHeaderBytes: number;
  readonly maxFrames: number;
  /** Header plus every frame. */
  readonly maxTotalBytes: number;
}
const MiB = 1 << 20;
/**
 * The largest message ws can refuse: it reads `maxPayload` as a 32-bit integer (`| 0`), so 2**31
 * and above wrap to zero or less, which ws takes as "no limit" (a 4 GiB cap refused nothing).
 */
export const WS_MAX_PAYLOAD = 2 ** 31 - 1;
/**
 * After the handshake. The header cap is 64 MiB rather than 1 MiB because an update-graph of a few
 * tens of thousands of tasks is several MiB of JSON; pass smaller limits to tighten it. The total
 * is the most ws enforces: a larger value is taken as no cap at all.
 */
export const FRAME_LIMITS: FrameLimits = Object.freeze({
  maxHeaderBytes: 64 * MiB,
  maxFrames: 100_000,
  maxTotalBytes: WS_MAX_PAYLOAD,
});
/** Before the hello is accepted: one small header, no frames. */
export const HANDSHAKE_FRAME_LIMITS: FrameLimits = Object.freeze({
  maxHeaderBytes: 16 * 1024,
  maxFrames: 0,
  maxTotalBytes: 16 * 1024,
});

/** Header on the dashboard's refusals of a WebSocket upgrade, so a client dialling its port says so. */
export const DASHBOARD_MARKER = 'x-dask-ts-dashboard';

/** FRAME_LIMITS with some caps replaced; a total above WS_MAX_PAYLOAD is refused (ws could not enforce it). */
export function frameLimits(overrides: Partial<FrameLimits>): FrameLimits {
  const limits = { ...FRAME_LIMITS, ...overrides };
  if (!(limits.maxTotalBytes > 0 && limits.maxTotalBytes <= WS_MAX_PAYLOAD))
    throw new DaskError(
      'DASK_ERR_CONFIG',
      `frameLimits.maxTotalBytes must be between 1 and ${WS_MAX_PAYLOAD} bytes (2 GiB - 1, the most a WebSocket message may hold here), got ${limits.maxTotalBytes}`,
    );
  return Object.freeze(limits);
}

/** Checks announced sizes before anything is allocated; an error text, or undefined when they fit. */
export function checkFrameSizes(
  headerBytes: number,
  frameSizes: readonly number[],
  limits: FrameLimits = FRAME_LIMITS,
): string | undefined {
  const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  if (!isSize(headerBytes)) return `header size ${headerBytes} is not a byte count`;
  if (headerBytes > limits.maxHeaderBytes)
    return `header of ${headerBytes} bytes exceeds the limit of ${limits.maxHeaderBytes} bytes`;
  if (frameSizes.length > limits.maxFrames)
    return `${frameSizes.length} frames exceed the limit of ${limits.maxFrames} frames`;
  let total = headerBytes;
  for (let i = 0; i < frameSizes.length; i++) {
    const size = frameSizes[i]!;
    if (!isSize(size)) return `frame ${i} size ${size} is not a byte count`;
    total += size;
  }
  if (total > limits.maxTotalBytes)
    return `message of ${total} bytes exceeds the limit of ${limits.maxTotalBytes} bytes`;
  return undefined;
}

export interface PeerInfo {
  readonly role: Role;
  /** The dask-ts package version. */
  readonly version: string;
  readonly nodeMajor: number;
}

/** Refusal text when the two sides run different dask-ts versions or Node majors; undefined when they match. */
export function checkHandshake(local: PeerInfo, remote: PeerInfo): string | undefined {
  if (local.version === remote.version && local.nodeMajor === remote.nodeMajor) return undefined;
  const runs = (p: PeerInfo): string => `${p.role} runs dask-ts ${p.version} on Node ${p.nodeMajor}`;
  return `${runs(local)}, ${runs(remote)}: use the same versions on both sides`;
}

/** Compares tokens in constant time (whatever their lengths). */
export function tokensMatch(expected: string, given: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given)) && expected.length === given.length;
}

export type { JsonValue, Check, MessageLimits };
