/*
 * The IPv4 address of a named network interface ('ib0', 'eth0', 'lo'), as dask-jobqueue's
 * `interface` option means it: the scheduler binds that address, and each job's workers listen on
 * the same interface of their own node (interface-cli.ts prints it inside the job). A name this
 * machine does not have is an error that lists the interfaces it does have.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { DaskError } from '../../src/core/errors.js';

/** The first IPv4 address of `name`; throws a DaskError naming the available interfaces. */
export function interfaceAddress(
  name: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  const entries = interfaces[name];
  const v4 = entries?.find((e) => e.family === 'IPv4');
  if (v4 !== undefined) return v4.address;
  const available = Object.entries(interfaces)
    .map(
      ([n, list]) =>
        `${n} (${
          (list ?? [])
            .filter((e) => e.family === 'IPv4')
            .map((e) => e.address)
            .join(', ') || 'no IPv4'
        })`,
    )
    .join(', ');
  const why = entries === undefined ? 'there is no such interface here' : 'it has no IPv4 address';
  return fail(`interface ${JSON.stringify(name)}: ${why}. Available: ${available || 'none'}`);
}

function fail(message: string): never {
  throw new DaskError('DASK_ERR_CONFIG', message);
}
