/*
 * Where a scheduler, worker or dashboard listens and what address it tells others (DESIGN.md, security):
 * loopback unless told, any other interface only with `insecure` (there is no TLS, so the token
 * would cross the network in clear), IPv6 literals bracketed in URLs, and a wildcard bind
 * (0.0.0.0, ::) advertised under this machine's host name, since nobody can connect to 0.0.0.0.
 */
import { hostname } from 'node:os';
import { DaskError } from '../../src/core/errors.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
/** Binds meaning every interface. */
export const WILDCARD: ReadonlySet<string> = new Set(['0.0.0.0', '::', '']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Throws a DaskError naming the fix when `host` is not loopback and `insecure` is not set. */
export function checkBind(
  host: string,
  insecure: boolean | undefined,
  who: 'scheduler' | 'worker' | 'dashboard',
): void {
  if (isLoopback(host) || insecure === true) return;
  throw new DaskError(
    'DASK_ERR_CONFIG',
    who === 'dashboard'
      ? `refusing to serve the dashboard on ${host}: it is plain HTTP, so the token would cross the network unencrypted. ` +
          'Bind 127.0.0.1 (the default) and use an SSH tunnel, or pass insecure: true (--insecure) on a network you trust.'
      : `refusing to bind the ${who} to ${host}: without TLS the token would cross the network unencrypted. ` +
          'Bind 127.0.0.1 (the default), or pass --insecure (insecure: true) on a network you trust.',
  );
}

/** `host` as it appears before `:port` in a URL or Host header: IPv6 literals bracketed. */
export function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The ws:// URL others use to reach a server bound to `host`:`port`. */
export function advertisedAddress(host: string, port: number): string {
  const name = WILDCARD.has(host) ? hostname() : host;
  return `ws://${bracketHost(name)}:${port}`;
}
