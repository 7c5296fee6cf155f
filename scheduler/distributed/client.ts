/*
 * Client: the user's connection to a cluster (Dask's distributed.Client).
 *
 * It keeps one record per key it holds Futures of: the status the scheduler reports
 * (key-in-memory → finished, task-erred → error, key-cancelled → cancelled, lost-data → pending
 * again) and how many live Futures point at it; at zero it sends release-keys. Work goes to the
 * scheduler as update-graph (submit, map, compute, persist, get); values come back from the
 * workers holding them: who-has to the scheduler, then get-data to each worker over a connection
 * of the client's own (the scheduler moves only metadata). Data goes in the same way: put-data to
 * a worker, then scatter to tell the scheduler.
 *
 * Replies without ids (who-has-reply, workers) answer requests in the order they were sent, which
 * the single ordered connection guarantees. The most recently connected client is the default
 * scheduler of `.compute()` (scheduler-registry.ts) until it closes.
 */
import { randomUUID } from 'node:crypto';
import { CancelledError, CommError, DaskError, SerializationError, ValueError } from '../../src/core/errors.js';
import {
  collectionsToGraph,
  computeAll,
  isDaskCollection,
  persistAll,
  type DaskCollection,
} from '../../src/core/compute.js';
import { Task, type Graph, type Key } from '../../src/core/graph/task.js';
import { uniqueToken } from '../../src/core/graph/keys.js';
import { tokenize } from '../../src/core/graph/tokenize.js';
import { setDefaultClientLookup } from '../../src/core/scheduler-registry.js';
import type { GetOptions, SchedulerLike } from '../../src/core/scheduler-types.js';
import type { ErrorRecord } from '../../src/core/serialize/error-codec.js';
import { dial, type Connection } from './connection.js';
import { Future, type FutureHost, type FutureStatus } from './future.js';
import { graphToSpecs } from './graph-specs.js';
import { PeerRequests, type PeerReply } from './peer-requests.js';
import { arrange, collectKeys, errorFor, mapFutures, type Gathered } from './client-values.js';
import { typeName } from './sizeof.js';
import { decodeValue, encodeValue } from './encoded-value.js';
import { CONNECT_OPTION_NAMES, SubmitOptions, type ClusterLike, type ConnectOptions } from './client-options.js';
import { checkOptions } from '../../src/core/options.js';
import {
  OPS,
  type Address,
  type EncodedValue,
  type GetDataReply,
  type SchedulerToClient,
  type WhoHas,
  type WorkerInfo,
} from './protocol.js';

interface KeyRecord {
  status: FutureStatus;
  error: ErrorRecord | undefined;
  /** Workers said to hold the value (from key-in-memory), tried before asking who-has. */
  holders: readonly Address[];
  refs: number;
  waiters: (() => void)[];
}

type SchedulerConn = Connection<SchedulerToClient['op']>;

const clients: Client[] = [];

export class Client implements SchedulerLike, FutureHost {
  readonly name = 'distributed';
  readonly id: string;
  private readonly keys = new Map<Key, KeyRecord>();
  private readonly whoHasQueue: ((w: WhoHas) => void)[] = [];
  private readonly workersQueue: ((w: readonly WorkerInfo[]) => void)[] = [];
  private readonly peers: PeerRequests;
  private scatterTurn = 0;
  private status: 'running' | 'closed' = 'running';
  /** Why the connection to the scheduler ended, when it was not close(). */
  private lostReason: string | undefined;
  private closing = false;
  /** The cluster's dashboard, when the scheduler serves one (from the cluster object, or told in the welcome). */
  dashboardLink: string | undefined;

  private constructor(
    private readonly conn: SchedulerConn,
    readonly schedulerAddress: string,
    token: string,
    id: string,
  ) {
    this.id = id;
    this.peers = new PeerRequests({ role: 'client', token, id });
    conn.onMessage((msg) => this.receive(msg));
    conn.onClose((code, reason) =>
      this.lost(`the scheduler closed the connection (${code}${reason === '' ? '' : ` ${reason}`})`),
    );
  }

  /** Connects to a cluster (LocalCluster, a job cluster) or to a scheduler address with its token. */
  static async connect(target: string | ClusterLike, options: ConnectOptions = {}): Promise<Client> {
    checkOptions(options, CONNECT_OPTION_NAMES, 'Client.connect()');
    const address = typeof target === 'string' ? target : target.schedulerAddress;
    const token = typeof target === 'string' ? options.token : target.token;
    if (token === undefined) {
      throw new ValueError(
        `Client.connect('${address}') needs the scheduler's token: pass { token }, read it from the scheduler file, or connect to the cluster object`,
      );
    }
    const id = `client-${randomUUID()}`;
    const conn = await dial(address, {
      role: 'client',
      token,
      id,
      accept: OPS.schedulerToClient,
      peer: 'the scheduler',
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const client = new Client(conn, address, token, id);
    client.dashboardLink = (typeof target === 'string' ? undefined : target.dashboardLink) ?? conn.welcome?.dashboard;
    if (options.setAsDefault !== false) {
      clients.push(client);
      setDefaultClientLookup(() => clients[clients.length - 1]);
    }
    return client;
  }

  // ---- submitting work ----

  /** Runs fn(...args) on the cluster. Futures among args stand for their values; a last SubmitOptions argument sets key, pure, retries, priority. */
  submit<A extends unknown[], R>(
    fn: (...args: A) => R,
    ...args: [...{ [I in keyof A]: A[I] | Future<A[I]> }, SubmitOptions?] | { [I in keyof A]: A[I] | Future<A[I]> }
  ): Future<Awaited<R>> {
    const list = [...args] as unknown[];
    const last = list[list.length - 1];
    const opts = last instanceof SubmitOptions ? (list.pop(), last.options) : {};
    const name = fn.name === '' ? 'lambda' : fn.name;
    const key = opts.key ?? `${name}-${opts.pure === false ? uniqueToken() : tokenize(fn, list)}`;
    const task = new Task(key, fn, list);
    this.sendGraph(new Map([[key, task]]), [key], opts);
    return new Future<Awaited<R>>(key, this);
  }

  /** submit(fn, item) for every item (several iterables: fn(a[i], b[i], ...)). */
  map<R>(
    fn: (...args: never[]) => R,
    ...iterables: readonly (Iterable<unknown> | SubmitOptions)[]
  ): Future<Awaited<R>>[] {
    if (typeof fn !== 'function')
      throw new TypeError(`client.map(fn, items): fn must be a function, got ${typeName(fn)}`);
    const last = iterables[iterables.length - 1];
    const opts = last instanceof SubmitOptions ? last : undefined;
    const lists = (opts === undefined ? iterables : iterables.slice(0, -1)).map((it, i) => mapItems(it, i));
    if (lists.length === 0) throw new ValueError('client.map(fn, items) needs at least one iterable of items');
    const n = Math.min(...lists.map((l) => l.length));
    const name = fn.name === '' ? 'lambda' : fn.name;
    const graph: Graph = new Map();
    const itemKeys: Key[] = [];
    for (let i = 0; i < n; i++) {
      const args = lists.map((l) => l[i]);
      const key =
        opts?.options.key !== undefined
          ? `${opts.options.key}-${i}`
          : `${name}-${opts?.options.pure === false ? uniqueToken() : tokenize(fn, args)}`;
      itemKeys.push(key);
      graph.set(key, new Task(key, fn, args));
    }
    this.sendGraph(graph, [...graph.keys()], opts?.options ?? {});
    return itemKeys.map((k) => new Future<Awaited<R>>(k, this));
  }

  /** Puts a value on a worker and returns its Future (an Array gives one Future per element, as in Dask). */
  async scatter<T>(value: T): Promise<Future<T>>;
  async scatter<T>(values: readonly T[]): Promise<Future<T>[]>;
  async scatter(value: unknown): Promise<Future | Future[]> {
    this.checkOpen();
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    // As Dask, wait a while for a worker (one may be restarting) before giving up.
    let workers = await this.workerInfo();
    for (
      const deadline = Date.now() + 10_000;
      workers.length === 0 && Date.now() < deadline;
      workers = await this.workerInfo()
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (workers.length === 0)
      throw new DaskError(
        'DASK_ERR_CONFIG',
        'cannot scatter: the cluster has had no worker for 10 s (scale it up or start workers)',
      );
    const worker = workers[this.scatterTurn++ % workers.length]!.address;
    const data: Record<Key, EncodedValue> = {};
    const frames: Uint8Array[] = [];
    const keys: Key[] = [];
    for (const v of values) {
      const key = `${typeName(v)}-${uniqueToken()}`;
      data[key] = encodeValue(frames, v);
      keys.push(key);
    }
    const futures = keys.map((k) => new Future(k, this));
    const reply = await this.peers.putData(worker, data, frames);
    this.conn.send({ op: 'scatter', worker, keys: reply.msg.keys });
    return Array.isArray(value) ? futures : futures[0]!;
  }

  // ---- collections ----

  /** Computes collections on the cluster; non-collections pass through. One collection → its result. */
  async compute<C extends DaskCollection>(collection: C): Promise<ReturnType<C['__daskPostcompute']>>;
  async compute(...items: unknown[]): Promise<unknown[]>;
  async compute(...items: unknown[]): Promise<unknown> {
    const out = await computeAll(items, { scheduler: this });
    return items.length === 1 ? out[0] : out;
  }

  /**
   * Computes collections and keeps their results on the cluster. Arrays and Delayed come back
   * backed by Futures (their data stays on the workers); other collections (DataFrames, whose
   * metadata is read from the values) come back backed by the gathered values.
   */
  async persist<C>(collection: C): Promise<C> {
    if (!isDaskCollection(collection)) return collection;
    if (collection.__daskPersistsOpaque !== true) return (await persistAll([collection], { scheduler: this }))[0] as C;
    const { graph, keys } = collectionsToGraph([collection]);
    this.sendGraph(graph, keys, {});
    const futures = keys.map((k) => new Future(k, this));
    await Promise.all(futures.map((f) => this.valueStatus(f.key)));
    const byKey = new Map(futures.map((f) => [f.key, f]));
    return collection.__daskPostpersist(arrange(collection.__daskKeys(), byKey)) as C;
  }

  /** SchedulerLike: computes `keys` of `graph` on the cluster and gathers their values. */
  async get(graph: Graph, keys: readonly Key[], options: GetOptions = {}): Promise<unknown[]> {
    const hooks = options.hooks ?? [];
    for (const h of hooks) h.start?.(graph, keys);
    const futures: Future[] = [];
    let error: unknown;
    try {
      this.sendGraph(graph, keys, {});
      for (const k of keys) futures.push(new Future(k, this));
      let done = 0;
      await Promise.all(
        futures.map(async (f) => {
          await this.settled(f.key);
          done += 1;
          for (const h of hooks)
            h.posttask?.(f.key, undefined, { total: keys.length, done, running: keys.length - done, live: done });
        }),
      );
      return await this.gather(futures);
    } catch (e) {
      error = e;
      throw e;
    } finally {
      for (const f of futures) f.release();
      for (const h of hooks) h.finish?.({ total: keys.length, done: keys.length, running: 0, live: 0 }, error);
    }
  }

  // ---- results ----

  /** The values of Futures, arranged like the input (arrays and plain objects are walked). */
  async gather<T>(futures: T): Promise<Gathered<T>> {
    const keys: Key[] = [];
    collectKeys(futures, keys);
    const values = await this.fetch([...new Set(keys)]);
    return mapFutures(futures, (f) => values.get(f.key)) as Gathered<T>;
  }

  /** Cancels the Futures' tasks and what depends on them. */
  async cancel(futures: Future | readonly Future[]): Promise<void> {
    const list: readonly Future[] = Future.isFuture(futures) ? [futures] : futures;
    await this.cancelKeys(list.map((f) => f.key));
  }

  /** The workers the scheduler knows. */
  async workerInfo(): Promise<WorkerInfo[]> {
    this.checkOpen();
    return [
      ...(await new Promise<readonly WorkerInfo[]>((resolve) => {
        this.workersQueue.push(resolve);
        this.conn.send({ op: 'get-workers' });
      })),
    ];
  }

  /** Leaves the cluster: the scheduler releases everything this client held. */
  async close(): Promise<void> {
    if (this.status === 'closed') return;
    this.closing = true;
    this.conn.send({ op: 'close-client' });
    this.lost('the client was closed');
    await new Promise<void>((resolve) => {
      this.conn.onClose(() => resolve());
      this.conn.close(1000, 'client closed');
    });
  }

  // ---- FutureHost ----

  statusOf(key: Key): FutureStatus {
    return this.keys.get(key)?.status ?? 'cancelled';
  }

  settled(key: Key): Promise<void> {
    const rec = this.keys.get(key);
    if (rec === undefined || rec.status !== 'pending') return Promise.resolve();
    return new Promise((resolve) => rec.waiters.push(resolve));
  }

  async resultOf(key: Key): Promise<unknown> {
    return (await this.fetch([key])).get(key);
  }

  async exceptionOf(key: Key): Promise<Error | undefined> {
    await this.settled(key);
    const rec = this.keys.get(key);
    if (rec?.status === 'error') return errorFor(key, rec.error);
    if (rec === undefined || rec.status === 'cancelled') return new CancelledError(`task ${key} was cancelled`, key);
    return undefined;
  }

  async cancelKeys(keys: readonly Key[]): Promise<void> {
    if (this.status === 'closed') return;
    this.conn.send({ op: 'cancel-keys', keys });
    await Promise.all(keys.map((k) => this.settled(k)));
  }

  retain(key: Key): void {
    let rec = this.keys.get(key);
    if (rec === undefined) {
      rec = { status: 'pending', error: undefined, holders: [], refs: 0, waiters: [] };
      this.keys.set(key, rec);
    }
    rec.refs += 1;
  }

  release(key: Key): void {
    const rec = this.keys.get(key);
    if (rec === undefined) return;
    rec.refs -= 1;
    if (rec.refs <= 0) this.forget(key, rec);
  }

  // ---- internals ----

  private checkOpen(): void {
    if (this.status === 'closed') throw new CommError('the client is closed; connect a new one');
  }

  private sendGraph(
    graph: Graph,
    keys: readonly Key[],
    opts: { retries?: number; priority?: number; timeout?: number },
  ): void {
    this.checkOpen();
    const futureKey = (v: unknown): Key | undefined => (Future.isFuture(v) ? v.key : undefined);
    let specs;
    try {
      specs = graphToSpecs(graph, {
        futureKey,
        ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
        ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
        ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
      });
    } catch (e) {
      if (e instanceof SerializationError) throw e;
      throw new SerializationError(
        `cannot send the graph to the scheduler: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    // Records exist before the reports can arrive.
    for (const k of keys)
      if (!this.keys.has(k))
        this.keys.set(k, { status: 'pending', error: undefined, holders: [], refs: 0, waiters: [] });
    this.conn.send({ op: 'update-graph', tasks: specs.tasks, keys }, specs.frames);
    for (const k of keys) {
      const rec = this.keys.get(k)!;
      if (rec.refs === 0)
        queueMicrotask(() => {
          // Nobody took a Future (a failed caller): let go so the scheduler is not left holding it.
          if (this.keys.get(k) === rec && rec.refs === 0) this.forget(k, rec);
        });
    }
  }

  /** No Future of `key` is left: the scheduler may let it go. */
  private forget(key: Key, rec: KeyRecord): void {
    this.keys.delete(key);
    if (this.status === 'running') this.conn.send({ op: 'release-keys', keys: [key] });
    for (const w of rec.waiters.splice(0)) w();
  }

  /** Waits until `key` is in memory; rejects with its error if it erred or was cancelled. */
  private async valueStatus(key: Key): Promise<void> {
    await this.settled(key);
    const rec = this.keys.get(key);
    if (rec?.status === 'finished') return;
    if (rec?.status === 'error') throw errorFor(key, rec.error);
    if (this.lostReason !== undefined) throw new CommError(`task ${key} has no result: ${this.lostReason}`);
    throw new CancelledError(
      `task ${key} was cancelled${this.status === 'closed' ? ' (the client is closed)' : ''}`,
      key,
    );
  }

  /** Values of finished keys, from the workers holding them; retried while results move or are recomputed. */
  private async fetch(keys: readonly Key[]): Promise<Map<Key, unknown>> {
    const out = new Map<Key, unknown>();
    let remaining = [...keys];
    for (let attempt = 0; remaining.length > 0; attempt++) {
      await Promise.all(remaining.map((k) => this.valueStatus(k)));
      const known = attempt === 0 && remaining.every((k) => (this.keys.get(k)?.holders.length ?? 0) > 0);
      const whoHas = known
        ? Object.fromEntries(remaining.map((k) => [k, this.keys.get(k)!.holders]))
        : await this.whoHas(remaining);
      const byWorker = new Map<Address, Key[]>();
      for (const k of remaining) {
        const holders = whoHas[k] ?? [];
        if (holders.length === 0) continue;
        const w = holders[Math.floor(Math.random() * holders.length)]!;
        const list = byWorker.get(w);
        if (list === undefined) byWorker.set(w, [k]);
        else list.push(k);
      }
      await Promise.all(
        [...byWorker].map(async ([worker, ks]) => {
          let reply: PeerReply<GetDataReply>;
          try {
            reply = await this.peers.getData(worker, ks);
          } catch {
            return; // that worker is gone: ask again; the scheduler recomputes what it held
          }
          for (const [k, enc] of Object.entries(reply.msg.data)) out.set(k, decodeValue(enc, reply.frames));
        }),
      );
      remaining = remaining.filter((k) => !out.has(k));
      if (remaining.length > 0) {
        if (attempt >= 50)
          throw new CommError(
            `could not fetch ${remaining.length} result(s) (first: ${remaining[0]}) from the workers after ${attempt + 1} attempts`,
          );
        await new Promise((r) => setTimeout(r, Math.min(200, 5 * (attempt + 1))));
      }
    }
    return out;
  }

  private whoHas(keys: readonly Key[]): Promise<WhoHas> {
    this.checkOpen();
    return new Promise((resolve) => {
      this.whoHasQueue.push(resolve);
      this.conn.send({ op: 'who-has', keys });
    });
  }

  private receive(msg: SchedulerToClient): void {
    switch (msg.op) {
      case 'key-in-memory': {
        const rec = this.keys.get(msg.key);
        if (rec !== undefined) rec.holders = msg.workers ?? [];
        return this.settle(msg.key, 'finished', undefined);
      }
      case 'task-erred':
        return this.settle(msg.key, 'error', msg.error);
      case 'key-cancelled':
        return this.settle(msg.key, 'cancelled', undefined);
      case 'lost-data': {
        const rec = this.keys.get(msg.key);
        if (rec !== undefined) {
          rec.status = 'pending';
          rec.holders = [];
        }
        return;
      }
      case 'who-has-reply':
        return this.whoHasQueue.shift()?.(msg.whoHas);
      case 'workers':
        return this.workersQueue.shift()?.(msg.workers);
    }
  }

  private settle(key: Key, status: FutureStatus, error: ErrorRecord | undefined): void {
    const rec = this.keys.get(key);
    if (rec === undefined) return;
    rec.status = status;
    rec.error = error;
    for (const w of rec.waiters.splice(0)) w();
  }

  /** The scheduler is gone (or the client closed): every pending key is cancelled, every request fails. */
  private lost(why: string): void {
    if (this.status === 'closed') return;
    this.status = 'closed';
    if (!this.closing) this.lostReason = `lost the scheduler at ${this.schedulerAddress}: ${why}`;
    const i = clients.indexOf(this);
    if (i >= 0) clients.splice(i, 1);
    if (clients.length === 0) setDefaultClientLookup(undefined);
    for (const rec of this.keys.values()) {
      if (rec.status === 'pending') rec.status = 'cancelled';
      for (const w of rec.waiters.splice(0)) w();
    }
    this.peers.close(why);
    for (const q of this.whoHasQueue.splice(0)) q({});
    for (const q of this.workersQueue.splice(0)) q([]);
  }
}

/** The items of client.map's argument `i` (0-based after fn), refusing what is not a list of items. */
function mapItems(it: unknown, i: number): unknown[] {
  const where = `client.map(fn, ...): argument ${i + 2}`;
  if (it instanceof SubmitOptions)
    throw new TypeError(`${where} is a submitOptions(...): options go last, after every list of items`);
  if (typeof it === 'string') return [...it];
  if (it === null || typeof it !== 'object')
    throw new TypeError(
      `${where} is ${typeName(it)}, not an iterable of items; pass an array of items, one task per item`,
    );
  if (!(Symbol.iterator in it))
    throw new TypeError(
      `${where} is ${typeName(it)}, not an iterable of items; to pass options, use submitOptions({ ... }) as the last argument`,
    );
  return [...(it as Iterable<unknown>)];
}
