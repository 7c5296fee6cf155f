/*
 * What the dashboard costs the scheduler: B6 of BENCH.md (bench/b6-distributed.ts: a round trip
 * and map 5,000 + gather on a LocalCluster of 2 workers × 1 thread), measured on one cluster
 * alternately without a dashboard (A) and with the dashboard served and its status page open in
 * headless Chromium (B), ROUNDS times each (A B A B A B), so that drift from a busy machine
 * touches both. The bar (issue #7): B within 10% of A. Not a vitest test (it takes a minute); run after `npm run build`:
 *
 *   node --expose-gc --import tsx test/scheduler/distributed/dashboard/b6-dashboard-overhead.ts
 */
import { Client, LocalCluster, submitOptions } from '../../../../dist/src/distributed.js';
import { startDashboard } from '../../../../dist/scheduler/distributed/dashboard/start-dashboard.js';
import { medians } from '../../../../bench/measure.js';
import { launchChromium } from './chromium.js';

const N = 5000;
const ROUNDS = 3;

async function main(): Promise<void> {
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  const client = await Client.connect(cluster, { setAsDefault: false });
  let round = 0;
  const inc = (x: number): number => x + 1;
  const b6 = (): Promise<Map<string, number>> => medians({
    'round trip': async () => {
      const x = ++round;
      if ((await client.submit(inc, x, submitOptions({ pure: false })).result()) !== x + 1) throw new Error('wrong round trip');
    },
    'map 5,000 + gather': async () => {
      const base = ++round * N;
      const out = await client.gather(client.map(inc, Array.from({ length: N }, (_, i) => base + i)));
      if (out[N - 1] !== base + N) throw new Error('wrong map result');
    },
  }, { time: 2000, iterations: 10, warmupIterations: 3 });

  const browser = await launchChromium();
  const without: Map<string, number>[] = [];
  const withPage: Map<string, number>[] = [];
  let bars: string | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    without.push(await b6());
    const dashboard = await startDashboard(cluster.server, { host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboard.url);
    await page.waitForSelector('#conn.live');
    withPage.push(await b6());
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
  console.log(`the status page was drawing ${bars ?? '?'} bars when measuring ended`);
}

await main();
