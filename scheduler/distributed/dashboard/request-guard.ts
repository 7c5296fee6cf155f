/*
 * Who may talk to the dashboard (DESIGN.md, security defaults).
 *
 *   Host     every request's Host header must name this server: the bound host and port, or
 *            localhost / 127.0.0.1 / [::1] with the port; for a wildcard bind (0.0.0.0, ::) also
 *            this machine's host name and interface addresses. Anything else is refused, which
 *            defeats DNS rebinding (a foreign name resolved to 127.0.0.1).
 *   Origin   a WebSocket upgrade must carry an Origin equal to http://<its Host>: a page of
 *            another origin (a site open in the same browser) cannot open the socket and read
 *            the cluster. A missing Origin is refused too.
 *   token    when the dashboard listens on a non-loopback interface, the WebSocket URL must carry
 *            ?token=<the scheduler's token> (compared in constant time).
 */
import { hostname, networkInterfaces } from 'node:os';
import { tokensMatch } from '../protocol.js';
import { bracketHost, WILDCARD } from '../bind.js';

/** The Host header values (lower case) that name a dashboard bound to `host`:`port`. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([host, 'localhost', '127.0.0.1', '::1']);
  if (WILDCARD.has(host)) {
    names.add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(i.address);
  }
  const out = new Set<string>();
  for (const n of names) {
    if (n === '' || WILDCARD.has(n)) continue;
    const h = bracketHost(n.toLowerCase());
    out.add(`${h}:${port}`);
    if (port === 80) out.add(h);
  }
  return out;
}

export function hostAllowed(allowed: ReadonlySet<string>, header: string | undefined): boolean {
  return header !== undefined && allowed.has(header.toLowerCase());
}

/** True when `origin` is this very dashboard: http://<Host> (Host already checked). */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || host === undefined) return false;
  return origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

/** True when no token is required, or `given` is the token. */
export function tokenAllowed(required: string | undefined, given: string | null): boolean {
  if (required === undefined) return true;
  return given !== null && tokensMatch(required, given);
}
