// Helpers of the jobqueue tests: a bounded poll for state that only a command or a file can show
// (squeue, a job's exit file: no events to wait on), and the interface the tests bind.
import { networkInterfaces } from 'node:os';

/**
 * Calls `check` every `everyMs` until it returns a value other than undefined, and resolves with
 * it; rejects after `deadlineMs` with `what` and the last value seen by `describe`.
 */
export async function pollUntil<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  options: {
    readonly everyMs?: number;
    readonly deadlineMs?: number;
    readonly describe?: () => string | Promise<string>;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? 20_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const seen = options.describe === undefined ? '' : `; last seen: ${await options.describe()}`;
      throw new Error(`gave up waiting for ${what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 200));
  }
}

/** This machine's first non-loopback IPv4 interface (eth0 here), else 'lo'. */
export function testInterface(): { readonly name: string; readonly address: string } {
  for (const [name, list] of Object.entries(networkInterfaces())) {
    const v4 = (list ?? []).find((e) => e.family === 'IPv4' && !e.internal);
    if (v4 !== undefined) return { name, address: v4.address };
  }
  return { name: 'lo', address: '127.0.0.1' };
}

/** A busy task body: spins `ms` milliseconds (a stand-in for real work), then returns x + 1. */
export function slowIncrement(x: number, ms = 0): number {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy on purpose
  }
  return x + 1;
}
