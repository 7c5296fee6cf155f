// The dashboard end to end, in real headless Chromium: a LocalCluster of two workers, the
// dashboard started on a free loopback port, pages watched while an array reduction runs.
// Every wait is on a page selector or a promise, never on a fixed sleep.
// DASK_TS_UPDATE_SCREENSHOT=1 also writes docs/dashboard-status.png (the README's picture).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { Client, LocalCluster } from '../../../../src/distributed.js';
import * as da from '../../../../src/array.js';
import type { Chunk } from '../../../../src/array.js';
import { startDashboard, type Dashboard } from '../../../../scheduler/distributed/dashboard/start-dashboard.js';
import { performanceReport } from '../../../../scheduler/distributed/dashboard/performance-report.js';
import { launchChromium } from './chromium.js';

let cluster: LocalCluster;
let client: Client;
let dashboard: Dashboard;
let browser: Browser;
const tmp = mkdtempSync(join(tmpdir(), 'dask-ts-dashboard-'));

beforeAll(async () => {
  [cluster, browser] = await Promise.all([LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 }), launchChromium()]);
  client = await Client.connect(cluster, { setAsDefault: false });
  dashboard = await startDashboard(cluster.server, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await client?.close();
  await cluster?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Each block spins ~50 ms, so 64 blocks on 2 workers keep the cluster busy for well over a second. */
function slowReduction(): da.DaskArray {
  const x = da.arange(0, 4_000_000, { chunks: 62_500 });
  const slow = da.mapBlocks((b: Chunk) => {
    const end = Date.now() + 50;
    while (Date.now() < end) {
      /* a task that takes a while */
    }
    return b;
  }, x);
  return slow.mul(2).add(1).sum();
}

async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  const url = new URL(dashboard.url);
  url.pathname = path;
  await page.goto(url.href);
  await page.waitForSelector('#conn.live');
  return page;
}

describe('the dashboard in Chromium', () => {
  test('the status page shows task bars while an array reduction runs, and its progress reaches 100%', async () => {
    const page = await openPage('/status');
    let finished = false;
    const result = client.compute(slowReduction()).then((v) => {
      finished = true;
      return v;
    });
    await page.waitForSelector('svg.task-stream .task-bar');
    const seenWhileRunning = !finished;
    // the slow blocks are fused into the reduction's first level: its prefixes are sum-partial,
    // sum-combine-0, sum-combine-1 and sum
    await page.waitForSelector('.progress-row[data-prefix="sum-partial"] .count');
    // the picture: about halfway through
    // (polled through the locator: the page's CSP forbids string predicates, eval included)
    const partial = page.locator('.progress-row[data-prefix="sum-partial"]');
    await expect
      .poll(async () => Number(await partial.getAttribute('data-done')), { timeout: 20_000, interval: 50 })
      .toBeGreaterThanOrEqual(30);
    await page.screenshot({ path: join(tmp, 'status.png') });
    if (process.env.DASK_TS_UPDATE_SCREENSHOT === '1')
      copyFileSync(join(tmp, 'status.png'), join(import.meta.dirname, '../../../../docs/dashboard-status.png'));
    const n = 4_000_000;
    expect(await result).toBeCloseTo((2 * ((n - 1) * n)) / 2 + n, -3);
    expect(seenWhileRunning).toBe(true);
    const done = page.locator('.progress-row[data-prefix="sum"][data-complete="true"]');
    await done.waitFor();
    expect(await done.getAttribute('data-total')).toBe(await done.getAttribute('data-done'));
    for (const prefix of ['sum-partial', 'sum-combine-0', 'sum-combine-1']) {
      await page.locator(`.progress-row[data-prefix="${prefix}"][data-complete="true"]`).waitFor();
    }
    expect(await page.locator('.progress-row[data-prefix="sum-partial"]').getAttribute('data-total')).toBe('64');
    const bars = Number(await page.locator('svg.task-stream').getAttribute('data-bars'));
    expect(bars).toBeGreaterThanOrEqual(64);
    await page.close();
  });

  test('the workers page lists both workers', async () => {
    const page = await openPage('/workers');
    const rows = page.locator('tr.worker-row');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const shown = [await rows.nth(0).getAttribute('data-address'), await rows.nth(1).getAttribute('data-address')];
    expect(shown.sort()).toEqual(cluster.workers.map((w) => w.address).sort());
    expect(await page.locator('#workers-table th').allTextContents()).toContain('CPU');
    await page.close();
  });

  test('the tasks page shows a failed task with its stack, and time per prefix', async () => {
    const page = await openPage('/tasks');
    const failing = client.submit((x: number) => {
      if (x > 0) throw new RangeError(`dashboard test failure ${x}`);
      return x;
    }, 7);
    await expect(failing.result()).rejects.toThrow(/dashboard test failure 7/);
    const error = page.locator('details.task-error', { hasText: 'dashboard test failure 7' });
    await error.waitFor();
    expect(await error.locator('pre').textContent()).toMatch(/RangeError|at /);
    await page.locator('tr.timing-row').first().waitFor();
    await page.close();
  });

  test('the graph page draws the tasks the scheduler holds, coloured by state', async () => {
    const page = await openPage('/graph');
    const inputs = client.map((x: number) => x * 2, [1, 2, 3]);
    const total = client.submit((...xs: number[]) => xs.reduce((s, v) => s + v, 0), ...inputs);
    expect(await total.result()).toBe(12);
    await page.locator('circle.graph-node[data-state="memory"]').nth(3).waitFor();
    await page.close();
    for (const f of [...inputs, total]) f.release();
  });
});

describe('performanceReport', () => {
  test('writes one HTML file that shows the task stream in Chromium with the network cut off', async () => {
    const path = join(tmp, 'report.html');
    const value = await performanceReport(path, cluster, async () => client.compute(slowReduction()), {
      title: 'reduction report',
    });
    expect(value).toBeGreaterThan(0);
    const context = await browser.newContext({ offline: true });
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await context.route('**', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    await page.goto(pathToFileURL(path).href);
    expect(await page.title()).toBe('reduction report');
    expect(Number(await page.locator('svg.task-stream').getAttribute('data-bars'))).toBeGreaterThanOrEqual(64);
    expect(await page.locator('svg.task-stream .task-bar').count()).toBeGreaterThanOrEqual(64);
    expect(await page.locator('tr.timing-row[data-prefix="sum-partial"]').count()).toBe(1);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    await context.close();
  });

  test('is written when the block throws, and the error goes on', async () => {
    const path = join(tmp, 'failed.html');
    await expect(
      performanceReport(path, cluster.server, async () => {
        await client.submit((x: number) => x + 1, 1).result();
        throw new Error('the block failed');
      }),
    ).rejects.toThrow('the block failed');
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('class="task-stream"');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});
