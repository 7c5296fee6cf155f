/*
 * What the dashboard costs the scheduler: B6 of BENCH.md (bench/b6-distributed.ts: a round trip
 * and map 5,000 + gather on a LocalCluster of 2 workers × 1 thread), measured on one cluster
 * alternately without a dashboard (A) and with the dashboard served and its status page open in
 * headless Chromium (B), ROUNDS times each (A B A B A B), so that drift from a busy machine
 * touches both. The bar (issue #7): B within 10% of A. Not a vitest test (it takes a minute); run after `npm run build`:
 *
 *   [ROUNDS=5] node --expose-gc --import tsx test/scheduler/distributed/dashboard/b6-dashboard-overhead.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client, LocalCluster, submitOptions } from '../../../../dist/src/distributed.js';
import { startDashboard } from '../../../../dist/scheduler/distributed/dashboard/start-dashboard.js';
import { medians } from '../../../../bench/measure.js';
import { launchChromium } from './chromium.js';

const N = 5000;
const CPU_ITERATIONS = 6;

/** CPU seconds (user + system) used so far by the processes whose command line matches `test`. */
function cpuOf(test: (cmdline: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!test(readFileSync(`/proc/${d}/cmdline`, 'utf8'), Number(d))) continue;
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}
const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function main(): Promise<void> {
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  const client = await Client.connect(cluster, { setAsDefault: false });
  let round = 0;
  const inc = (x: number): number => x + 1;
  const b6 = (): Promise<Map<string, number>> =>
    medians(
      {
        'round trip': async () => {
          const x = ++round;
          if ((await client.submit(inc, x, submitOptions({ pure: false })).result()) !== x + 1)
            throw new Error('wrong round trip');
        },
        'map 5,000 + gather': async () => {
          const base = ++round * N;
          const out = await client.gather(
            client.map(
              inc,
              Array.from({ length: N }, (_, i) => base + i),
            ),
          );
          if (out[N - 1] !== base + N) throw new Error('wrong map result');
        },
      },
      { time: 2000, iterations: 10, warmupIterations: 3 },
    );
  const workerPids = new Set(cluster.workers.map((w) => w.pid));
  /** CPU ms per map 5,000 + gather, by who spent it: this process (scheduler + client), workers, Chromium. */
  const cpuPerMap = async (): Promise<[number, number, number]> => {
    const before = [
      process.cpuUsage(),
      cpuOf((_c, pid) => workerPids.has(pid)),
      cpuOf((c) => c.startsWith('/usr/bin/chromium') || c.includes('/chromium/chromium')),
    ] as const;
    for (let i = 0; i < CPU_ITERATIONS; i++) {
      const base = ++round * N;
      await client.gather(
        client.map(
          inc,
          Array.from({ length: N }, (_, j) => base + j),
        ),
      );
    }
    const self = process.cpuUsage(before[0]);
    const workers = cpuOf((_c, pid) => workerPids.has(pid)) - before[1];
    const chromium = cpuOf((c) => c.startsWith('/usr/bin/chromium') || c.includes('/chromium/chromium')) - before[2];
    return [
      (self.user + self.system) / 1000 / CPU_ITERATIONS,
      (workers * 1000) / CPU_ITERATIONS,
      (chromium * 1000) / CPU_ITERATIONS,
    ];
  };

  const browser = await launchChromium();
  const without: Map<string, number>[] = [];
  const withPage: Map<string, number>[] = [];
  const cpuWithout: [number, number, number][] = [];
  const cpuWith: [number, number, number][] = [];
  let bars: string | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    without.push(await b6());
    cpuWithout.push(await cpuPerMap());
    const dashboard = await startDashboard(cluster.server, { host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboard.url);
    await page.waitForSelector('#conn.live');
    withPage.push(await b6());
    cpuWith.push(await cpuPerMap());
    bars = await page.locator('svg.task-stream').getAttribute('data-bars');
    await page.close();
    await dashboard.close();
  }
  await browser.close();
  await client.close();
  await cluster.close();

  const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)] ?? NaN;
  const rows = [...(without[0]?.keys() ?? [])].map((k) => {
    const a = without.map((m) => m.get(k) ?? NaN);
    const b = withPage.map((m) => m.get(k) ?? NaN);
    return {
      case: k,
      withoutMs: a.map((v) => v.toFixed(2)).join(' '),
      withPageMs: b.map((v) => v.toFixed(2)).join(' '),
      overhead: `${((median(b) / median(a) - 1) * 100).toFixed(1)}% (median of medians)`,
    };
  });
  console.table(rows);
  const cpuRow = (xs: [number, number, number][], i: 0 | 1 | 2): string => median(xs.map((x) => x[i])).toFixed(1);
  console.table(
    ['scheduler + client process', 'workers', 'chromium'].map((who, i) => ({
      'CPU ms per map 5,000 + gather': who,
      without: cpuRow(cpuWithout, i as 0 | 1 | 2),
      withPage: cpuRow(cpuWith, i as 0 | 1 | 2),
    })),
  );
  console.log(`the status page was drawing ${bars ?? '?'} bars when measuring ended`);
}

await main();
