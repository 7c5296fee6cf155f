/*
 * Errors as plain records, so they cross threads, processes and sockets and come back as the same
 * kind of error. `encodeError` keeps name, message, stack (the thrower's own, which is the useful
 * one), a string `code` (DASK_ERR_... or Node's ERR_... / ENOENT), the task key, the cause chain,
 * and the other own enumerable properties whose values are JSON (errno, path, cycle, worker, ...).
 * A thrown non-Error (`throw 'boom'`) becomes a record named "Error" with the value as message.
 *
 * `decodeError` picks the class to rebuild: a DaskError subclass by its DASK_ERR_ code, else a
 * built-in Error class by name (TypeError stays TypeError), else Error with the remote name. The
 * class constructor only brands the object; message, name, stack and properties are then set from
 * the record, so a rebuilt TaskError does not wrap its message twice.
 */
import {
  CancelledError,
  DaskError,
  GraphError,
  KilledWorker,
  SerializationError,
  TaskError,
  ValueError,
  CommError,
  TaskTimeoutError,
} from '../errors.js';
import type { Codec, JsonValue } from './codec-registry.js';

export type ErrorRecord = {
  name: string;
  message: string;
  /** The stack where the error was thrown; empty when the thrown value was not an Error. */
  stack: string;
  code?: string;
  key?: string;
  /** Other own enumerable properties with JSON values. */
  props?: { [name: string]: JsonValue };
  cause?: ErrorRecord;
};

const MAX_CAUSE_DEPTH = 8;
const RECORD_FIELDS = new Set(['name', 'message', 'stack', 'code', 'key', 'cause']);

/** True for Error objects of any realm. */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/** The error (or any thrown value) as a plain, JSON-safe record. */
export function encodeError(err: unknown, key?: string): ErrorRecord {
  const rec = encodeAt(err, 0);
  if (key !== undefined) rec.key = key;
  return rec;
}

function encodeAt(err: unknown, depth: number): ErrorRecord {
  if (!isError(err)) return { name: 'Error', message: describeThrown(err), stack: '' };
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const message = typeof err.message === 'string' ? err.message : String(err.message);
  const rec: ErrorRecord = { name, message, stack: typeof err.stack === 'string' ? err.stack : '' };
  const fields = err as unknown as Record<string, unknown>;
  if (typeof fields.code === 'string') rec.code = fields.code;
  if (typeof fields.key === 'string') rec.key = fields.key;
  let props: { [name: string]: JsonValue } | undefined;
  for (const k of Object.keys(err)) {
    if (RECORD_FIELDS.has(k)) continue;
    const v = toJson(fields[k], 0);
    if (v !== undefined) (props ??= {})[k] = v;
  }
  if (props !== undefined) rec.props = props;
  if (err.cause !== undefined && depth < MAX_CAUSE_DEPTH) rec.cause = encodeAt(err.cause, depth + 1);
  return rec;
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value);
      if (typeof json === 'string') return json;
    } catch {
      // fall through to String()
    }
  }
  return String(value);
}

/** A JSON copy of `v` (plain data only, a few levels deep), or undefined if it is not JSON data. */
function toJson(v: unknown, depth: number): JsonValue | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'object' || depth > 4) return undefined;
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const item of v) {
      const j = toJson(item, depth + 1);
      if (j === undefined) return undefined;
      out.push(j);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const out: { [k: string]: JsonValue } = {};
  for (const [k, item] of Object.entries(v)) {
    const j = toJson(item, depth + 1);
    if (j === undefined) return undefined;
    out[k] = j;
  }
  return out;
}

/** True when `v` has the shape of an ErrorRecord (checked before rebuilding one received from elsewhere). */
export function isErrorRecord(v: unknown): v is ErrorRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.name === 'string' &&
    typeof r.message === 'string' &&
    typeof r.stack === 'string' &&
    (r.code === undefined || typeof r.code === 'string') &&
    (r.key === undefined || typeof r.key === 'string') &&
    (r.props === undefined || (typeof r.props === 'object' && r.props !== null && !Array.isArray(r.props))) &&
    (r.cause === undefined || isErrorRecord(r.cause))
  );
}

type BuiltinErrorClass = new (message?: string) => Error;

const BUILTIN_ERRORS: ReadonlyMap<string, BuiltinErrorClass> = new Map<string, BuiltinErrorClass>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

function stringProp(rec: ErrorRecord, name: string): string | undefined {
  const v = rec.props?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** Error classes registered by collections: their name → a maker of a blank instance. */
const registered = new Map<string, () => Error>();

/**
 * Lets a collection's own error classes come back from workers as themselves (so `instanceof`
 * holds): `blank` makes an uninitialised instance (e.g. `Object.create(MyError.prototype)`), and
 * the record's message, stack and own properties are then set on it as for any error.
 */
export function registerErrorClass(name: string, blank: () => Error): void {
  registered.set(name, blank);
}

/** An instance of the class the record came from, before its fields are set from the record. */
function instantiate(rec: ErrorRecord): Error {
  const { message, key } = rec;
  const blank = registered.get(rec.name);
  if (blank !== undefined) return blank();
  switch (rec.code) {
    case 'DASK_ERR_GRAPH': {
      const cycle = rec.props?.cycle;
      const isCycle = Array.isArray(cycle) && cycle.every((k) => typeof k === 'string');
      return new GraphError(message, { ...(isCycle ? { cycle } : {}), ...(key !== undefined ? { key } : {}) });
    }
    case 'DASK_ERR_TASK':
      return new TaskError(key ?? '', { name: stringProp(rec, 'originalName') ?? 'Error', message });
    case 'DASK_ERR_SERIALIZATION':
      return new SerializationError(message);
    case 'DASK_ERR_KILLED_WORKER':
      return new KilledWorker(key ?? '', stringProp(rec, 'worker') ?? '', message);
    case 'DASK_ERR_CANCELLED':
      return new CancelledError(message, key);
    case 'DASK_ERR_VALUE':
      return new ValueError(message);
    case 'DASK_ERR_CONFIG':
      return new DaskError('DASK_ERR_CONFIG', message);
    case 'DASK_ERR_COMM':
      return new CommError(message);
    case 'DASK_ERR_TIMEOUT':
      return Object.assign(new TaskTimeoutError(key ?? '', 0), { message });
    default: {
      if (rec.name === 'AggregateError') return new AggregateError([], message);
      const Ctor = BUILTIN_ERRORS.get(rec.name) ?? Error;
      return new Ctor(message);
    }
  }
}

function setField(err: Error, name: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(err, name, { value, enumerable, writable: true, configurable: true });
}

/** Rebuilds an Error from its record: same class where possible, remote name, message and stack. */
export function decodeError(rec: ErrorRecord): Error {
  const err = instantiate(rec);
  setField(err, 'message', rec.message, false);
  if (err.name !== rec.name) setField(err, 'name', rec.name, false);
  setField(err, 'stack', rec.stack !== '' ? rec.stack : `${rec.name}: ${rec.message}`, false);
  const fields = err as unknown as Record<string, unknown>;
  if (rec.code !== undefined && fields.code !== rec.code) setField(err, 'code', rec.code, true);
  if (rec.key !== undefined && fields.key !== rec.key) setField(err, 'key', rec.key, true);
  if (rec.props !== undefined) {
    for (const [k, v] of Object.entries(rec.props)) {
      if (!RECORD_FIELDS.has(k) && fields[k] !== v) setField(err, k, v, true);
    }
  }
  if (rec.cause !== undefined) setField(err, 'cause', decodeError(rec.cause), false);
  return err;
}

export const errorCodec: Codec<Error> = {
  name: 'error',
  canHandle: isError,
  encode: (err) => ({ header: encodeError(err), buffers: [] }),
  decode: (header) => {
    if (!isErrorRecord(header)) throw new SerializationError('received a malformed error record');
    return decodeError(header);
  },
};
