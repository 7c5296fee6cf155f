// What a scheduler refuses, over real sockets: strangers without the token, a wrong version,
// malformed and oversize messages. Each refusal closes only that connection; the scheduler keeps
// serving a real client and worker (started here, in this process) throughout.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { Client, DistributedWorker, SchedulerServer } from '../../../src/distributed.js';
import { CommError, DaskError, ValueError } from '../../../src/core/errors.js';
import { encodeWire } from '../../../scheduler/distributed/wire.js';
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

  test('a large first message is refused at the handshake limit', async () => {
    const ws = await raw({ hello: { id: 'x'.repeat(20_000) } });
    const c = await closed(ws);
    expect(c.code).toBe(4401);
    expect(c.reason).toMatch(/header of \d+ bytes exceeds/);
    await stillServing();
  });
});
