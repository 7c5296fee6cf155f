/*
 * parseDashboardAddress: Dask's `dashboard_address` strings to {host, port}. ':8787' is port 8787
 * on the default host (127.0.0.1), ':0' a free port, '8787' the same as ':8787',
 * '0.0.0.0:8787' or '[::1]:8787' name the interface too. Anything else is a DaskError that shows
 * the accepted forms.
 */
import { DaskError } from '../../../src/core/errors.js';

export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
export const DEFAULT_DASHBOARD_PORT = 8787;

export function parseDashboardAddress(
  address: string,
  defaultHost = DEFAULT_DASHBOARD_HOST,
): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]*):)?(\d{1,5})$/.exec(address.trim());
  const port = Number(m?.[2]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw new DaskError(
      'DASK_ERR_CONFIG',
      `cannot read ${JSON.stringify(address)} as a dashboard address; write ':8787', ':0' (a free port), '127.0.0.1:8787' or '[::1]:8787'`,
    );
  }
  const given = m[1] ?? '';
  const host = given === '' ? defaultHost : given.startsWith('[') ? given.slice(1, -1) : given;
  return { host, port };
}
