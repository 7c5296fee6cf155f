/*
 * Connection: one authenticated WebSocket between two parties of a cluster (client, scheduler,
 * worker), carrying protocol.ts messages in wire.ts envelopes.
 *
 * Opening (the dialling side, `dial`): the token travels in the HTTP upgrade request
 * (`Authorization: Bearer ...`), so a server (`listenWithToken`) refuses a stranger with 401 before
 * any WebSocket exists; then hello {role, token, version, nodeMajor, id} is sent and the answer awaited:
 * welcome → open; refused → CommError with the server's reason. Accepting (`acceptHello`): the
 * first message, read with HANDSHAKE_FRAME_LIMITS, must be a valid hello with the right token and
 * the same dask-ts version and Node major (checkHandshake), else refused + close.
 *
 * Sending batches: messages sent during one turn of the event loop (a state machine's whole
 * answer to one stimulus, thousands of compute-tasks for one update-graph) leave together in one
 * envelope whose header is the JSON array of the messages, their EncodedValue frame numbers
 * shifted to index the shared frame list (protocol.ts shiftFrames). A lone message goes as itself.
 *
 * Receiving, in this order, before a handler sees anything: wire sizes against the limits
 * (decodeWire), JSON.parse, validateMessage against the ops this side accepts from that peer,
 * checkFrameRefs. A message failing any step closes the connection with code 4400 and the error as
 * reason (the peer's own side learns why; the server and its other connections are unharmed).
 * WebSocket `maxPayload` is the frame limits' total (at most WS_MAX_PAYLOAD, the most ws can
 * enforce), so ws itself refuses an oversize message (1009) as soon as its frame header announces
 * the length, before buffering it. A turn's messages that together would exceed the limits leave in
 * several envelopes; a single message that exceeds them is refused by send().
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CommError, DaskError, SerializationError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/core/serialize/fn-ref.js';
import {
  checkFrameRefs,
  checkHandshake,
  FRAME_LIMITS,
  HANDSHAKE_FRAME_LIMITS,
  MESSAGE_LIMITS,
  shiftFrames,
  tokensMatch,
  validateMessage,
  DASHBOARD_MARKER,
  type FrameLimits,
  type Hello,
  type Welcome,
  type Message,
  type MessageOf,
  type Op,
  type Role,
} from './protocol.js';
import { decodeWire, encodeWire } from './wire.js';

/** Close code for a message that broke the protocol. */
export const PROTOCOL_ERROR = 4400;
/** Close code for a refused handshake. */
export const REFUSED = 4401;
/** Close code the scheduler uses when it shuts down (workers then stop; nannies do not restart them). */
export const SCHEDULER_CLOSING = 1001;

let version: string | undefined;
/** This package's version, as sent in hello and welcome. */
export function packageVersion(): string {
  if (version === undefined) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  }
  return version;
}
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * Frame bytes one envelope may carry: the total limit less room for its JSON header (the header
 * cap, or a quarter of the total when the header cap is the larger).
 */
function frameBudget(limits: FrameLimits): number {
  return limits.maxTotalBytes - Math.min(limits.maxHeaderBytes, Math.floor(limits.maxTotalBytes / 4));
}

/** A message waiting for the end of this turn, with its frames and their byte count. */
interface Queued {
  readonly msg: Message;
  readonly frames: readonly Uint8Array[];
  readonly bytes: number;
}

export type MessageHandler<O extends Op> = (msg: MessageOf<O>, frames: Uint8Array[]) => void;

/** The sending side of any Connection, whatever it accepts. */
export interface Link {
  send(msg: Message, frames?: readonly Uint8Array[]): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export class Connection<In extends Op = Op> implements Link {
  private handler: MessageHandler<In> | undefined;
  private closeHandlers: ((code: number, reason: string) => void)[] = [];
  private closedWith: { code: number; reason: string } | undefined;
  private queue: Queued[] = [];

  constructor(
    readonly ws: WebSocket,
    /** Who is on the other side, for error messages. */
    readonly peer: string,
    private readonly accept: readonly In[],
    private readonly limits: FrameLimits = FRAME_LIMITS,
    /** What the other side answered to our hello (for dialled connections). */
    readonly welcome?: Welcome,
  ) {
    ws.on('message', (data: RawData) => this.receive(data));
    ws.on('close', (code: number, reason: Buffer) => this.closed(code, reason.toString('utf8')));
    ws.on('error', () => undefined); // 'close' follows and reports it
  }

  onMessage(handler: MessageHandler<In>): void {
    this.handler = handler;
  }

  /** Called once when the connection ends (immediately if it already has). */
  onClose(handler: (code: number, reason: string) => void): void {
    if (this.closedWith !== undefined) handler(this.closedWith.code, this.closedWith.reason);
    else this.closeHandlers.push(handler);
  }

  /**
   * Sends one message with the rest of this turn's (see above); silently dropped when the
   * connection is closing (its close handler runs). A message whose frames alone exceed what one
   * WebSocket message may carry is refused here with a SerializationError, so the peer never has
   * to close the connection over it (1009).
   */
  send(msg: Message, frames: readonly Uint8Array[] = []): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    let bytes = 0;
    for (const f of frames) bytes += f.byteLength;
    const budget = frameBudget(this.limits);
    if (bytes > budget || frames.length > this.limits.maxFrames) {
      throw new SerializationError(
        `a ${msg.op} message of ${bytes} bytes in ${frames.length} frames cannot be sent to ${this.peer}: one message carries at most ${budget} bytes and ${this.limits.maxFrames} frames. Split the data into smaller pieces (array chunks, DataFrame partitions)`,
      );
    }
    if (this.queue.length === 0) queueMicrotask(() => this.flush());
    this.queue.push({ msg, frames, bytes });
  }

  /** Sends this turn's messages: as few envelopes as the limits allow, in order. */
  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    if (this.ws.readyState !== WebSocket.OPEN || queue.length === 0) return;
    const budget = frameBudget(this.limits);
    let msgs: Message[] = [];
    let frames: Uint8Array[] = [];
    let bytes = 0;
    const emit = (): void => {
      const header = msgs.length === 1 ? JSON.stringify(msgs[0]) : JSON.stringify(msgs);
      this.ws.send(encodeWire(header, frames), { binary: true });
      msgs = [];
      frames = [];
      bytes = 0;
    };
    for (const q of queue) {
      if (msgs.length > 0 && (bytes + q.bytes > budget || frames.length + q.frames.length > this.limits.maxFrames))
        emit();
      msgs.push(shiftFrames(q.msg, frames.length));
      for (const f of q.frames) frames.push(f);
      bytes += q.bytes;
    }
    emit();
  }

  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code, clip(reason));
  }

  /** Ends the connection at once (no closing handshake). */
  terminate(): void {
    this.ws.terminate();
  }

  private receive(data: RawData): void {
    const parsed = parse(data, this.limits, this.accept);
    if (!parsed.ok) {
      this.close(PROTOCOL_ERROR, parsed.error);
      return;
    }
    for (const msg of parsed.msgs) {
      if (this.closedWith !== undefined) return;
      this.handler?.(msg, parsed.frames);
    }
  }

  private closed(code: number, reason: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = { code, reason };
    for (const h of this.closeHandlers.splice(0)) h(code, reason);
  }
}

type Parsed<O extends Op> = { ok: true; msgs: MessageOf<O>[]; frames: Uint8Array[] } | { ok: false; error: string };

/** Wire bytes → validated messages (one, or a batch), or what is wrong with them. */
function parse<O extends Op>(data: RawData, limits: FrameLimits, accept: readonly O[]): Parsed<O> {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  const decoded = decodeWire(bytes, limits);
  if (!decoded.ok) return decoded;
  let raw: unknown;
  try {
    raw = JSON.parse(decoded.header);
  } catch {
    return { ok: false, error: 'the message header is not JSON' };
  }
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length > MESSAGE_LIMITS.maxItems)
    return { ok: false, error: `a batch of ${items.length} messages exceeds the limit of ${MESSAGE_LIMITS.maxItems}` };
  const msgs: MessageOf<O>[] = [];
  for (const item of items) {
    const v = validateMessage<O>(item, { accept });
    if (!v.ok) return v;
    const refs = checkFrameRefs(v.msg, decoded.frames.length);
    if (refs !== undefined) return { ok: false, error: refs };
    msgs.push(v.msg);
  }
  return { ok: true, msgs, frames: decoded.frames };
}

/** A close reason fits in 123 bytes of UTF-8. */
function clip(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r, 'utf8') > 123) r = `${r.slice(0, Math.max(0, r.length - 8))}...`;
  return r;
}

export interface DialOptions<In extends Op> {
  readonly role: Role;
  readonly token: string;
  readonly id: string;
  /** Ops accepted from the other side once open. */
  readonly accept: readonly In[];
  readonly limits?: FrameLimits;
  /** Milliseconds to wait for the connection and the welcome. Default 10 s. */
  readonly timeoutMs?: number;
  /** What the other side is, for messages ("scheduler", "worker ws://..."). */
  readonly peer: string;
}

/** Opens a connection to `url` and performs the handshake; rejects with a CommError that says why. */
export function dial<In extends Op>(url: string, options: DialOptions<In>): Promise<Connection<In>> {
  const limits = options.limits ?? FRAME_LIMITS;
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${options.token}` },
        perMessageDeflate: false,
        maxPayload: limits.maxTotalBytes,
      });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      reject(
        new CommError(
          `cannot connect to ${options.peer} at ${url}: ${why}; addresses look like ws://host:port (the scheduler prints its own, a LocalCluster has .schedulerAddress)`,
        ),
      );
      return;
    }
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new CommError(`cannot connect to ${options.peer} at ${url}: ${why}`));
    };
    const timer = setTimeout(
      () => fail(`no answer within ${options.timeoutMs ?? 10_000} ms`),
      options.timeoutMs ?? 10_000,
    );
    ws.on('unexpected-response', (_req, res) => {
      fail(
        res.statusCode === 401
          ? 'the token is missing or wrong (HTTP 401); pass the token the scheduler printed or wrote to its scheduler file'
          : res.headers[DASHBOARD_MARKER] !== undefined
            ? "this port is the dask-ts dashboard, not the scheduler; connect to the scheduler's address (ws://host:8786 by default, a LocalCluster's .schedulerAddress)"
            : `HTTP ${res.statusCode} from a server that is not a dask-ts scheduler; check the host and port`,
      );
    });
    ws.on('error', (e: Error & { code?: string }) =>
      fail(
        e.code === 'ECONNREFUSED'
          ? 'nothing listens there (connection refused); is the scheduler running, and is this its address and port?'
          : e.code === 'ENOTFOUND'
            ? 'the host name does not resolve; check the address'
            : /parse error|invalid|hang up/i.test(e.message)
              ? `what answered is not a dask-ts scheduler (${e.message}); check the host and port`
              : e.message,
      ),
    );
    ws.on('close', (code: number, reason: Buffer) => fail(`closed (${code}) ${reason.toString('utf8')}`.trim()));
    ws.on('open', () => {
      const hello: Hello = {
        op: 'hello',
        role: options.role,
        token: options.token,
        version: packageVersion(),
        nodeMajor: NODE_MAJOR,
        id: options.id,
      };
      ws.send(encodeWire(JSON.stringify(hello), []), { binary: true });
    });
    ws.once('message', (data: RawData) => {
      const reply = parse(data, HANDSHAKE_FRAME_LIMITS, ['welcome', 'refused'] as const);
      if (!reply.ok) return fail(`bad handshake reply: ${reply.error}`);
      const answer = reply.msgs[0];
      if (answer === undefined || reply.msgs.length > 1) return fail('bad handshake reply: expected one message');
      if (answer.op === 'refused') return fail(`refused: ${answer.reason}`);
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      resolve(new Connection<In>(ws, options.peer, options.accept, limits, answer));
    });
  });
}

export interface AcceptOptions {
  readonly token: string;
  /** Roles allowed to connect here. */
  readonly roles: readonly Role[];
  /** Who this side is, for the mismatch message. */
  readonly role: Role;
  readonly id: string;
  readonly timeoutMs?: number;
  /** Put in the welcome: the dashboard's URL, if one is served. */
  readonly dashboard?: string | undefined;
}

/** Waits for a valid hello on a freshly accepted socket; answers welcome, or refused and closes. */
export function acceptHello(ws: WebSocket, options: AcceptOptions): Promise<Hello | undefined> {
  return new Promise((resolve) => {
    const done = (hello: Hello | undefined): void => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      resolve(hello);
    };
    const refuse = (reason: string): void => {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(encodeWire(JSON.stringify({ op: 'refused', reason }), []), { binary: true });
        ws.close(REFUSED, clip(reason));
      }
      done(undefined);
    };
    const timer = setTimeout(
      () => refuse(`no hello within ${options.timeoutMs ?? 10_000} ms`),
      options.timeoutMs ?? 10_000,
    );
    ws.on('error', () => undefined);
    ws.once('close', () => done(undefined));
    ws.once('message', (data: RawData) => {
      const got = parse(data, HANDSHAKE_FRAME_LIMITS, ['hello'] as const);
      if (!got.ok) return refuse(got.error);
      const hello = got.msgs[0];
      if (hello === undefined || got.msgs.length > 1) return refuse('the first message must be one hello');
      if (!tokensMatch(options.token, hello.token)) return refuse('wrong token');
      if (!options.roles.includes(hello.role))
        return refuse(`a ${hello.role} cannot connect here; expected ${options.roles.join(' or ')}`);
      const mismatch = checkHandshake({ role: options.role, version: packageVersion(), nodeMajor: NODE_MAJOR }, hello);
      if (mismatch !== undefined) return refuse(mismatch);
      const welcome: Welcome = {
        op: 'welcome',
        version: packageVersion(),
        nodeMajor: NODE_MAJOR,
        id: options.id,
        ...(options.dashboard !== undefined ? { dashboard: options.dashboard } : {}),
      };
      ws.send(encodeWire(JSON.stringify(welcome), []), { binary: true });
      done(hello);
    });
  });
}

/**
 * A WebSocket server on host:port that refuses, in the upgrade, every request without `token` as
 * its bearer token; messages above `maxPayload` bytes are refused by ws itself. Rejects with a
 * DaskError naming `who` when it cannot listen (a busy port, an unknown host).
 */
export function listenWithToken(
  who: string,
  host: string,
  port: number,
  token: string,
  maxPayload: number,
): Promise<WebSocketServer> {
  return new Promise<WebSocketServer>((resolve, reject) => {
    const server = new WebSocketServer({
      host,
      port,
      perMessageDeflate: false,
      maxPayload,
      verifyClient: (info: { req: { headers: { authorization?: string | undefined } } }) => {
        const given = bearerToken(info.req.headers.authorization);
        return given !== undefined && tokensMatch(token, given);
      },
    });
    server.once('listening', () => resolve(server));
    server.once('error', (e: Error) =>
      reject(new DaskError('DASK_ERR_CONFIG', `the ${who} cannot listen on ${host}:${port}: ${e.message}`)),
    );
  });
}

/** The token from an upgrade request's `Authorization: Bearer ...` header, if any. */
function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer (.+)$/.exec(header);
  return m?.[1];
}
