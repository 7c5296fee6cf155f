/*
 * startDashboard(server, {host, port}): the scheduler's dashboard, an HTTP server with four
 * read-only pages (status, workers, tasks, graph) and one WebSocket (/ws) that pushes sampled
 * updates to them (live-publisher.ts). Everything is served from the package: the pages' script
 * is the compiled browser/*.js in dist/ (read once at start), the CSS is in page-shell.ts; nothing
 * comes from the network.
 *
 *   GET /                        → 302 /status
 *   GET /status|workers|tasks|graph → the page shell (no data in it)
 *   GET /assets/*.js, *.css      → the page script modules and the style sheet
 *   GET /health                  → "ok"
 *   upgrade /ws?page=…[&token=…] → the update stream, after the checks in request-guard.ts
 *   anything else                → 404; a method other than GET/HEAD → 405
 *
 * Security: loopback unless told (`insecure` is needed for any other interface, as for the
 * scheduler: there is no TLS); the Host header is checked on every request and Origin on the
 * upgrade; on a non-loopback interface the WebSocket needs the scheduler's token, which
 * `url` carries. Responses forbid framing and sniffing and set a CSP that allows only this
 * origin's scripts, styles and socket.
 */
import { DASHBOARD_MARKER } from '../protocol.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { DaskError } from '../../../src/core/errors.js';
import { packageRoot } from '../../../src/core/serialize/fn-ref.js';
import { advertisedAddress, checkBind, isLoopback } from '../bind.js';
import type { SchedulerServer } from '../server.js';
import { LivePublisher } from './live-publisher.js';
import { DASHBOARD_CSS, isPageName, pageShell } from './page-shell.js';
import { allowedHosts, hostAllowed, originAllowed, tokenAllowed } from './request-guard.js';

export interface DashboardOptions {
  /** Interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8787; 0 picks a free port. */
  readonly port?: number;
  /** Allow a non-loopback interface (plain HTTP: the token crosses the network in clear). */
  readonly insecure?: boolean;
  /** Milliseconds between pushes to open pages. Default 250. */
  readonly intervalMs?: number;
  /**
   * When `port` is taken: 'fail' (the default) rejects; 'free-port' listens on a free port instead
   * and says so on stderr, as Dask does for its default 8787 (a second cluster on one machine).
   */
  readonly onPortInUse?: 'fail' | 'free-port';
}

export interface Dashboard {
  /** The status page's URL (with ?token=… when the token is required). */
  readonly url: string;
  /** Pages connected right now. */
  readonly pages: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** The compiled page-script modules, by file name, from dist/. */
function loadAssets(): Map<string, string> {
  const dir = join(packageRoot(), 'dist', 'scheduler', 'distributed', 'dashboard', 'browser');
  if (!existsSync(join(dir, 'dashboard-app.js'))) {
    throw new DaskError(
      'DASK_ERR_CONFIG',
      `the dashboard needs its built page script in ${dir}; run \`npm run build\` first`,
    );
  }
  const assets = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.js')) continue;
    assets.set(f, readFileSync(join(dir, f), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
  }
  return assets;
}

export async function startDashboard(server: SchedulerServer, options: DashboardOptions = {}): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  checkBind(host, options.insecure, 'dashboard');
  const assets = loadAssets();
  const token = isLoopback(host) ? undefined : server.token;
  const publisher = new LivePublisher(server, options.intervalMs);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const guard = { allowed: new Set<string>() };
  const http = createServer((req, res) => serve(req, res, guard.allowed, assets, token));
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const hostHeader = req.headers.host;
    const ok =
      url.pathname === '/ws' &&
      hostAllowed(guard.allowed, hostHeader) &&
      originAllowed(req.headers.origin, hostHeader) &&
      tokenAllowed(token, url.searchParams.get('token'));
    if (!ok) {
      // The marker header lets a client that dialled this port by mistake say it reached the dashboard.
      socket.end(`HTTP/1.1 403 Forbidden\r\n${DASHBOARD_MARKER}: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const page = url.searchParams.get('page') ?? 'status';
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', () => undefined); // read-only: whatever a page sends is ignored
      publisher.add(ws, isPageName(page) ? page : 'status');
    });
  });
  const wanted = options.port ?? 8787;
  const port = await listen(http, host, wanted)
    .catch(async (e: unknown) => {
      if (
        options.onPortInUse !== 'free-port' ||
        wanted === 0 ||
        !(e instanceof DaskError && (e.cause as { code?: unknown } | undefined)?.code === 'EADDRINUSE')
      )
        throw e;
      const free = await listen(http, host, 0);
      process.stderr.write(
        `dask-ts: port ${wanted} is already in use (another cluster?); the dashboard is on port ${free} instead\n`,
      );
      return free;
    })
    .catch((e: unknown) => {
      publisher.close();
      throw e;
    });
  guard.allowed = allowedHosts(host, port);
  const url = `${advertisedAddress(host, port).replace(/^ws:/, 'http:')}/status${token === undefined ? '' : `?token=${token}`}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    get pages() {
      return publisher.pages;
    },
    close: () =>
      (closed ??= (async () => {
        publisher.close();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        const done = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await done;
      })()),
  };
}

function listen(http: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', (e: Error) =>
      reject(
        new DaskError(
          'DASK_ERR_CONFIG',
          `the dashboard cannot listen on ${host}:${port}: ${e.message}${port !== 0 ? " (pass port 0, or dashboardAddress ':0', for a free port)" : ''}`,
          { cause: e },
        ),
      ),
    );
    http.listen(port, host, () => resolve((http.address() as AddressInfo).port));
  });
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function serve(
  req: IncomingMessage,
  res: ServerResponse,
  allowed: ReadonlySet<string>,
  assets: ReadonlyMap<string, string>,
  token: string | undefined,
): void {
  if (!hostAllowed(allowed, req.headers.host))
    return send(res, 403, 'text/plain; charset=utf-8', 'Forbidden: unexpected Host header\n');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, 'text/plain; charset=utf-8', 'The dashboard is read-only\n', { Allow: 'GET, HEAD' });
  const url = new URL(req.url ?? '/', 'http://dashboard');
  const given = url.searchParams.get('token');
  const query =
    token !== undefined && given !== null && tokenAllowed(token, given) ? `?token=${encodeURIComponent(given)}` : '';
  const path = url.pathname;
  if (path === '/')
    return send(res, 302, 'text/plain; charset=utf-8', 'See /status\n', { Location: `/status${query}` });
  const page = path.slice(1);
  if (isPageName(page)) return send(res, 200, 'text/html; charset=utf-8', pageShell(page, query));
  if (path === '/assets/dashboard.css') return send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
  const asset = path.startsWith('/assets/') ? assets.get(path.slice('/assets/'.length)) : undefined;
  if (asset !== undefined) return send(res, 200, 'text/javascript; charset=utf-8', asset);
  if (path === '/health') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
  if (path === '/favicon.ico') return send(res, 204, 'text/plain', '');
  return send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
}
