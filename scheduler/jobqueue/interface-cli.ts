/*
 * `node interface-cli.js IFACE`: prints the IPv4 address of the network interface IFACE of this
 * node, for a job script (DASK_TS_HOST=$(node interface-cli.js ib0) || exit 1): each job's workers
 * listen on their own node's address of the cluster's `interface`. Exit 1 with the list of
 * available interfaces on stderr when IFACE is missing.
 */
import { interfaceAddress } from './network-interface.js';

const name = process.argv[2];
if (name === undefined || name === '') {
  process.stderr.write('usage: interface-cli.js INTERFACE (e.g. ib0)\n');
  process.exitCode = 2;
} else {
  try {
    process.stdout.write(`${interfaceAddress(name)}\n`);
  } catch (e) {
    process.stderr.write(`dask-ts job: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
