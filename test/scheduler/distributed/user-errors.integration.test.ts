// What a user meets when they mistype: submit options, client.map arguments, Client.connect and
// LocalCluster options, and addresses that reach the wrong thing (a closed port, the dashboard).
// Each is refused where it is written, with a message that names the problem and the fix, and the
// cluster (real LocalCluster, real sockets) keeps computing afterwards.
import { afterAll, describe, expect, test } from 'vitest';
import { createServer } from 'node:net';
import { Client, LocalCluster, submitOptions } from '../../../src/distributed.js';
import { useCluster } from '../../helpers/cluster.js';
import { CommError, DaskError, ValueError } from '../../../src/core/errors.js';

const env = useCluster();

const inc = (x: number): number => x + 1;

/** A port nothing listens on: bound, read, and closed again. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('submit options', () => {
  test('a misspelt name is refused with the closest name', () => {
    expect(() => submitOptions({ retires: 2 } as never)).toThrow(/no option "retires"; did you mean "retries"\?/);
  });

  test("Dask's placement options are refused by name, not ignored", () => {
    expect(() => submitOptions({ resources: { GPU: 1 } } as never)).toThrow(/"resources" is not supported yet/);
    expect(() => submitOptions({ workers: ['a'] } as never)).toThrow(ValueError);
  });

  test('wrong values are refused', () => {
    expect(() => submitOptions({ retries: -1 })).toThrow(/retries must be a whole number >= 0, got -1/);
    expect(() => submitOptions({ retries: 1.5 })).toThrow(/retries/);
    expect(() => submitOptions({ priority: Number.NaN })).toThrow(/priority must be a finite number/);
    expect(() => submitOptions({ timeout: 0 })).toThrow(/timeout must be a number of milliseconds > 0/);
    expect(() => submitOptions({ key: '' })).toThrow(/key must be a non-empty string/);
  });
});

describe('client.map arguments', () => {
  test('fn must be a function', () => {
    expect(() => env.client.map(42 as never, [1, 2])).toThrow(/fn must be a function, got number/);
  });

  test('an argument that is not a list of items names its position and the fix', () => {
    expect(() => env.client.map(inc, 5 as never)).toThrow(/argument 2 is number, not an iterable of items/);
    expect(() => env.client.map(inc, [1], { pure: false } as never)).toThrow(
      /argument 3 is .*not an iterable of items; to pass options, use submitOptions/,
    );
    expect(() => env.client.map(inc, submitOptions({ pure: false }), [1])).toThrow(/options go last/);
  });

  test('after refusals the cluster computes, and map over a Set and a string works', async () => {
    const futures = env.client.map(inc, new Set([1, 2, 3]));
    expect(await env.client.gather(futures)).toEqual([2, 3, 4]);
    const chars = env.client.map((c: string) => c.toUpperCase(), 'ab');
    expect(await env.client.gather(chars)).toEqual(['A', 'B']);
  });
});

describe('connecting', () => {
  test('a misspelt connect option is refused before dialling', async () => {
    await expect(Client.connect(env.cluster, { timeout: 5 } as never)).rejects.toThrow(
      /Client.connect\(\) has no option "timeout"/,
    );
  });

  test('a port nothing listens on says so', async () => {
    const port = await closedPort();
    const err = await Client.connect(`ws://127.0.0.1:${port}`, { token: 'x', setAsDefault: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommError);
    expect(String(err)).toMatch(/nothing listens there \(connection refused\); is the scheduler running/);
  });

  test('an address without ws:// says what an address looks like', async () => {
    const err = await Client.connect('127.0.0.1:8786', { token: 'x', setAsDefault: false }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/addresses look like ws:\/\/host:port/);
  });

  describe('the dashboard port', () => {
    let cluster: LocalCluster | undefined;
    afterAll(async () => {
      await cluster?.close();
    });

    test('is recognised and the scheduler address suggested', async () => {
      cluster = await LocalCluster.start({ nWorkers: 1, dashboardAddress: '127.0.0.1:0', quiet: true });
      const link = new URL(cluster.dashboardLink!);
      const err = await Client.connect(`ws://${link.host}`, { token: cluster.token, setAsDefault: false }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CommError);
      expect(String(err)).toMatch(/this port is the dask-ts dashboard, not the scheduler/);
      // The right address still works.
      const client = await Client.connect(cluster, { setAsDefault: false });
      expect(await client.submit(inc, 1).result()).toBe(2);
      await client.close();
    });
  });
});

describe('LocalCluster options', () => {
  test("Dask's snake_case name is refused with the camelCase one", async () => {
    const err = await LocalCluster.start({ nworkers: 1 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaskError);
    expect(String(err)).toMatch(/LocalCluster.start\(\) has no option "nworkers"; did you mean "nWorkers"\?/);
  });

  test('the cluster in use still computes', async () => {
    expect(await env.client.submit(inc, 41).result()).toBe(42);
  });
});
