// What a scheduler refuses, over real sockets: strangers without the token, a wrong version,
// malformed and oversize messages. Each refusal closes only that connection; the scheduler keeps
// serving a real client and worker (started here, in this process) throughout.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { Client, DistributedWorker, SchedulerServer } from '../../../src/distributed.js';
import { CommError, DaskError, ValueError } from '../../../src/core/errors.js';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { encodeWire } from '../../../scheduler/distributed/wire.js';
import { FRAME_LIMITS } from '../../../scheduler/distributed/protocol.js';
import { packageVersion, NODE_MAJOR } from '../../../scheduler/distributed/connection.js';

let server: SchedulerServer;
let worker: DistributedWorker;
let client: Client;
const LIMIT = 1 << 20;

beforeAll(async () => {
  server = await SchedulerServer.start({ port: 0, frameLimits: { maxTotalBytes: LIMIT } });
  worker = await DistributedWorker.start({ scheduler: server.address, token: server.token });
  client = await Client.connect(server.address, { token: server.token, setAsDefault: false });
});

afterAll(async () => {
  await client.close();
  await worker.close();
  await server.close();
});

/** A raw socket that has said hello with the right token (unless told otherwise). */
async function raw(options: { token?: string; hello?: Record<string, unknown> } = {}): Promise<WebSocket> {
  const ws = new WebSocket(server.address, { headers: { authorization: `Bearer ${options.token ?? server.token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const hello = {
    op: 'hello',
    role: 'client',
    token: server.token,
    version: packageVersion(),
    nodeMajor: NODE_MAJOR,
    id: 'raw',
    ...options.hello,
  };
  ws.send(encodeWire(JSON.stringify(hello), []));
  return ws;
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
  );
}

/** A masked client frame header (FIN, binary) for a payload of `length` bytes, with a zero mask key. */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header; // bytes 10..13: the mask key, zero
}

/**
 * A WebSocket peer written by hand over TCP, so the test controls every byte: it upgrades with the
 * token, says hello, waits for the welcome, and reports the code of the close frame it receives.
 */
async function rawTcpPeer(address: string, token: string): Promise<{ socket: Socket; closeCode: Promise<number> }> {
  const url = new URL(address);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET / HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  let buffered = Buffer.alloc(0);
  let upgraded = false;
  const frames: { opcode: number; payload: Buffer }[] = [];
  const waiting: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (!upgraded) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      buffered = buffered.subarray(end + 4);
    }
    // Server frames are unmasked; these are small, so a 7-bit or 16-bit length.
    while (buffered.length >= 2) {
      let len = buffered[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buffered.length < 4) return;
        len = buffered.readUInt16BE(2);
        at = 4;
      }
      if (buffered.length < at + len) return;
      frames.push({ opcode: buffered[0]! & 0x0f, payload: buffered.subarray(at, at + len) });
      buffered = buffered.subarray(at + len);
      for (const w of waiting.splice(0)) w();
    }
  });
  const nextFrame = async (): Promise<{ opcode: number; payload: Buffer }> => {
    while (frames.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    return frames.shift()!;
  };
  const hello = { op: 'hello', role: 'client', token, version: packageVersion(), nodeMajor: NODE_MAJOR, id: 'tcp' };
  const payload = encodeWire(JSON.stringify(hello), []);
  socket.write(
    Buffer.concat([frameHeader(payload.length).subarray(0, 2), sizeBytes(payload.length), Buffer.alloc(4), payload]),
  );
  const welcome = await nextFrame();
  expect(welcome.opcode).toBe(2);
  const closeCode = (async (): Promise<number> => {
    for (;;) {
      const f = await nextFrame();
      if (f.opcode === 8) return f.payload.readUInt16BE(0);
    }
  })();
  return { socket, closeCode };
}

/** The 64-bit length field of a client frame header whose second byte says 127. */
function sizeBytes(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(length));
  return b;
}

async function stillServing(): Promise<void> {
  expect(await client.submit((x: number) => x + 1, 41).result()).toBe(42);
}

describe('authentication', () => {
  test('a connection without the token is refused before any WebSocket exists', async () => {
    const ws = new WebSocket(server.address);
    ws.on('error', () => undefined); // the refusal also surfaces as an error event
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    ws.terminate();
    await stillServing();
  });

  test('Client.connect with a wrong token says the token is wrong; without one it asks for it', async () => {
    const err = await Client.connect(server.address, { token: 'not-the-token' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommError);
    expect((err as Error).message).toMatch(/token is missing or wrong/);
    await expect(Client.connect(server.address)).rejects.toBeInstanceOf(ValueError);
    await stillServing();
  });

  test('a hello from another dask-ts version is refused with both versions named', async () => {
    const ws = await raw({ hello: { version: '9.9.9' } });
    const c = await closed(ws);
    expect(c.code).toBe(4401);
    expect(c.reason).toMatch(/9\.9\.9/);
    await stillServing();
  });

  test('binding a public interface without --insecure is refused', async () => {
    const err = await SchedulerServer.start({ host: '0.0.0.0', port: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaskError);
    expect((err as Error).message).toMatch(/insecure/);
  });
});

describe('malformed messages', () => {
  test('bytes that are not an envelope close that connection with the reason', async () => {
    const ws = await raw();
    await new Promise((r) => ws.once('message', r)); // welcome
    ws.send(Buffer.from([1, 2, 3]));
    const c = await closed(ws);
    expect(c.code).toBe(4400);
    expect(c.reason).toMatch(/shorter than its 8-byte prefix/);
    await stillServing();
  });

  test('an unknown op and a wrong field are named in the close reason', async () => {
    const a = await raw();
    await new Promise((r) => a.once('message', r));
    a.send(encodeWire(JSON.stringify({ op: 'format-disk' }), []));
    expect((await closed(a)).reason).toMatch(/unknown op "format-disk"/);
    const b = await raw();
    await new Promise((r) => b.once('message', r));
    b.send(encodeWire(JSON.stringify({ op: 'update-graph', tasks: 5, keys: [] }), []));
    expect((await closed(b)).reason).toMatch(/update-graph: tasks must be an array/);
    await stillServing();
  });

  test('a worker message from a client is refused', async () => {
    const ws = await raw();
    await new Promise((r) => ws.once('message', r));
    ws.send(encodeWire(JSON.stringify({ op: 'task-finished', key: 'x', nbytes: 8 }), []));
    expect((await closed(ws)).reason).toMatch(/not accepted here/);
    await stillServing();
  });

  test('an oversize message is refused before it is buffered', async () => {
    const ws = await raw();
    await new Promise((r) => ws.once('message', r));
    ws.send(encodeWire(JSON.stringify({ op: 'heartbeat-client' }), [new Uint8Array(2 * LIMIT)]));
    expect((await closed(ws)).code).toBe(1009);
    await stillServing();
  });

  test('with the default limits, a frame announcing 4 GiB is refused with 1009 from its header alone', async () => {
    // ws reads maxPayload as a 32-bit integer: a cap of 2**31 or more would mean no cap at all.
    expect(FRAME_LIMITS.maxTotalBytes).toBeLessThan(2 ** 31);
    const plain = await SchedulerServer.start({ port: 0 });
    try {
      const peer = await rawTcpPeer(plain.address, plain.token);
      // A binary frame header announcing 4 GiB, and not one byte of payload.
      peer.socket.write(frameHeader(4 * 1024 ** 3));
      expect(await peer.closeCode).toBe(1009);
    } finally {
      await plain.close();
    }
    await stillServing();
  });

  test('a large first message is refused at the handshake limit', async () => {
    const ws = await raw({ hello: { id: 'x'.repeat(20_000) } });
    const c = await closed(ws);
    expect(c.code).toBe(4401);
    expect(c.reason).toMatch(/header of \d+ bytes exceeds/);
    await stillServing();
  });
});
