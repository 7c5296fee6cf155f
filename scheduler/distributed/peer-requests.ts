/*
 * PeerRequests: get-data / put-data exchanges with workers, for a client or a worker. One
 * connection per worker, dialled on first use and kept; each request carries a fresh id and is
 * answered by the reply with that id. When a connection closes, the requests waiting on it fail
 * with a CommError (the caller then asks the scheduler where else the data is), and the next
 * request to that worker dials again.
 */
import { CommError } from '../../src/core/errors.js';
import { dial, type Connection } from './connection.js';
import {
  OPS,
  type Address,
  type GetData,
  type GetDataReply,
  type PutData,
  type PutDataReply,
  type Role,
} from './protocol.js';

type PeerConn = Connection<'get-data-reply' | 'put-data-reply'>;
export interface PeerReply<M> {
  readonly msg: M;
  readonly frames: Uint8Array[];
}
interface Pending {
  readonly peer: Address;
  readonly resolve: (r: PeerReply<GetDataReply | PutDataReply>) => void;
  readonly reject: (e: Error) => void;
}

export class PeerRequests {
  private readonly conns = new Map<Address, Promise<PeerConn>>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly me: { readonly role: Role; readonly token: string; readonly id: string }) {}

  /** Asks `peer` for `keys`. */
  getData(peer: Address, keys: GetData['keys']): Promise<PeerReply<GetDataReply>> {
    return this.request(peer, (id) => ({ op: 'get-data', id, keys }), []) as Promise<PeerReply<GetDataReply>>;
  }

  /** Stores values on `peer` (their frames are `frames`). */
  putData(peer: Address, data: PutData['data'], frames: readonly Uint8Array[]): Promise<PeerReply<PutDataReply>> {
    return this.request(peer, (id) => ({ op: 'put-data', id, data }), frames) as Promise<PeerReply<PutDataReply>>;
  }

  /** Fails every waiting request with `why` and closes every connection. */
  close(why: string): void {
    for (const p of this.pending.values()) p.reject(new CommError(why));
    this.pending.clear();
    for (const c of this.conns.values())
      void c.then(
        (x) => x.close(),
        () => undefined,
      );
    this.conns.clear();
  }

  private async request(
    peer: Address,
    build: (id: number) => GetData | PutData,
    frames: readonly Uint8Array[],
  ): Promise<PeerReply<GetDataReply | PutDataReply>> {
    const conn = await this.connection(peer);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { peer, resolve, reject });
      conn.send(build(id), frames);
    });
  }

  private connection(peer: Address): Promise<PeerConn> {
    let conn = this.conns.get(peer);
    if (conn !== undefined) return conn;
    conn = dial(peer, {
      role: this.me.role,
      token: this.me.token,
      id: this.me.id,
      accept: OPS.fromWorkerToPeer,
      peer: `worker ${peer}`,
    });
    this.conns.set(peer, conn);
    conn.then(
      (c) => {
        c.onMessage((msg, frames) => {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          p?.resolve({ msg, frames });
        });
        c.onClose(() => {
          this.conns.delete(peer);
          for (const [id, p] of this.pending) {
            if (p.peer !== peer) continue;
            this.pending.delete(id);
            p.reject(new CommError(`worker ${peer} closed the connection`));
          }
        });
      },
      () => this.conns.delete(peer),
    );
    return conn;
  }
}
