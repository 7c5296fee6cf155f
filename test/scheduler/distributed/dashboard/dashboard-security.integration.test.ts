// The dashboard's security defaults against a real scheduler (no workers needed): the WebSocket
// upgrade checks Origin and Host, a page of another origin in Chromium cannot read the socket,
// HTTP is read-only with a strict CSP, and a public interface needs `insecure`.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { Browser } from 'playwright-core';
import { SchedulerServer } from '../../../../src/distributed.js';
import { DaskError } from '../../../../src/core/errors.js';
import { startDashboard, type Dashboard } from '../../../../scheduler/distributed/dashboard/start-dashboard.js';
import { launchChromium } from './chromium.js';

let server: SchedulerServer;
let dashboard: Dashboard;
let port: number;

beforeAll(async () => {
  server = await SchedulerServer.start({ port: 0 });
  dashboard = await startDashboard(server, { host: '127.0.0.1', port: 0 });
  port = Number(new URL(dashboard.url).port);
});

afterAll(async () => {
  await dashboard?.close();
  await server?.close();
});

/** Opens /ws with the given headers: the HTTP status of a refusal, or 101 and the first message. */
function tryUpgrade(
  headers: { origin?: string; host?: string },
  path = '/ws?page=status',
): Promise<{ status: number; first?: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {
      ...(headers.origin !== undefined ? { origin: headers.origin } : {}),
      ...(headers.host !== undefined ? { headers: { host: headers.host } } : {}),
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('message', (data: Buffer) => {
      resolve({ status: 101, first: JSON.parse(data.toString('utf8')) });
      ws.close();
    });
    ws.on('error', (e) => reject(e));
  });
}

function get(
  path: string,
  options: { host?: string; method?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the WebSocket upgrade', () => {
  test('a connection with a foreign Origin is refused', async () => {
    expect((await tryUpgrade({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await tryUpgrade({ origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
  });

  test('a connection without an Origin is refused', async () => {
    expect((await tryUpgrade({})).status).toBe(403);
  });

  test('a foreign Host (DNS rebinding) is refused even with a matching Origin', async () => {
    expect((await tryUpgrade({ origin: `http://evil.example:${port}`, host: `evil.example:${port}` })).status).toBe(
      403,
    );
  });

  test("the dashboard's own origin gets updates, under any of its loopback names", async () => {
    const own = await tryUpgrade({ origin: `http://127.0.0.1:${port}` });
    expect(own.status).toBe(101);
    expect(own.first).toMatchObject({ kind: 'update', resetBars: true, bars: [] });
    const named = await tryUpgrade({ origin: `http://localhost:${port}`, host: `localhost:${port}` });
    expect(named.status).toBe(101);
  });
});

describe('a page on another origin, in Chromium', () => {
  let browser: Browser;
  let foreign: Server;
  beforeAll(async () => {
    browser = await launchChromium();
    foreign = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><title>waiting</title><script>
        const ws = new WebSocket('ws://127.0.0.1:${port}/ws?page=workers');
        ws.onmessage = () => { document.title = 'read the cluster'; };
        ws.onerror = () => { document.title = 'refused'; };
      </script>`);
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => foreign?.close(resolve));
  });

  test('cannot open the dashboard socket', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
    await page.waitForFunction("document.title !== 'waiting'");
    expect(await page.title()).toBe('refused');
  });
});

describe('HTTP', () => {
  test('pages are served with a CSP that allows only this origin, and no framing', async () => {
    const res = await get('/status');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toContain('src="/assets/dashboard-app.js"');
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  test('the page script comes from the package', async () => {
    const res = await get('/assets/dashboard-app.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.body).toContain("from './render-status.js'");
    expect((await get('/assets/render-status.js')).status).toBe(200);
    expect((await get('/assets/../start-dashboard.js')).status).toBe(404);
  });

  test('a foreign Host header is refused', async () => {
    expect((await get('/status', { host: `evil.example:${port}` })).status).toBe(403);
  });

  test('it is read-only: other methods are refused', async () => {
    const res = await get('/status', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  test('/ leads to the status page; unknown paths are 404', async () => {
    expect((await get('/')).headers.location).toBe('/status');
    expect((await get('/nothing-here')).status).toBe(404);
  });
});

describe('binding', () => {
  test('a non-loopback interface needs insecure', async () => {
    const err = await startDashboard(server, { host: '0.0.0.0', port: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaskError);
    expect((err as DaskError).code).toBe('DASK_ERR_CONFIG');
    expect((err as DaskError).message).toMatch(/insecure/);
  });

  test('a busy port fails with a clear error', async () => {
    const err = await startDashboard(server, { host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaskError);
    expect((err as DaskError).message).toMatch(/cannot listen on 127\.0\.0\.1/);
  });

  test("with onPortInUse 'free-port', a busy port falls back to a free one", async () => {
    const other = await startDashboard(server, { host: '127.0.0.1', port, onPortInUse: 'free-port' });
    try {
      expect(Number(new URL(other.url).port)).not.toBe(port);
      expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status$/);
    } finally {
      await other.close();
    }
  });
});
