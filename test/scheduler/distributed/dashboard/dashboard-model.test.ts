// The dashboard's pure parts, without sockets or a browser: progress per prefix as tasks come
// and go, the task-run log, the drawings (escaping included) and the request checks.
import { describe, expect, test } from 'vitest';
import { SchedulerTask, type TaskStateName } from '../../../../scheduler/distributed/scheduler-records.js';
import { PrefixProgressTracker } from '../../../../scheduler/distributed/dashboard/prefix-progress.js';
import { TaskRunLog } from '../../../../scheduler/distributed/dashboard/task-run-log.js';
import { renderProgress, renderTaskStream } from '../../../../scheduler/distributed/dashboard/browser/render-status.js';
import {
  graphLayers,
  renderErrors,
  renderWorkersTable,
} from '../../../../scheduler/distributed/dashboard/browser/render-pages.js';
import { formatBytes, prefixColor } from '../../../../scheduler/distributed/dashboard/browser/render-common.js';
import {
  allowedHosts,
  hostAllowed,
  originAllowed,
  tokenAllowed,
} from '../../../../scheduler/distributed/dashboard/request-guard.js';
import { parseDashboardAddress } from '../../../../scheduler/distributed/dashboard/dashboard-address.js';
import type { TaskBar, WorkerView } from '../../../../scheduler/distributed/dashboard/dashboard-types.js';

function tasks(states: Record<string, TaskStateName>): Map<string, SchedulerTask> {
  const m = new Map<string, SchedulerTask>();
  for (const [key, state] of Object.entries(states)) {
    const ts = new SchedulerTask(key, undefined, [0], 0);
    ts.state = state;
    m.set(key, ts);
  }
  return m;
}

describe('PrefixProgressTracker', () => {
  test('counts each prefix by state, and keeps released results as done once the scheduler forgets them', () => {
    const t = new PrefixProgressTracker();
    t.sample(tasks({ 'inc-aa[0]': 'processing', 'inc-aa[1]': 'waiting', 'sum-bb': 'waiting' }), 0);
    expect(t.progress()).toEqual([
      { prefix: 'inc', waiting: 1, processing: 1, memory: 0, released: 0, erred: 0, total: 2 },
      { prefix: 'sum', waiting: 1, processing: 0, memory: 0, released: 0, erred: 0, total: 1 },
    ]);
    t.sample(tasks({ 'inc-aa[0]': 'released', 'inc-aa[1]': 'memory', 'sum-bb': 'processing' }), 1);
    // inc-aa[0] was never seen in memory, so a bare 'released' is not done yet
    expect(t.progress()[0]).toMatchObject({ waiting: 1, memory: 1 });
    t.sample(tasks({ 'sum-bb': 'memory' }), 2);
    expect(t.progress()).toEqual([
      { prefix: 'inc', waiting: 0, processing: 0, memory: 0, released: 1, erred: 0, total: 1 },
      { prefix: 'sum', waiting: 0, processing: 0, memory: 1, released: 0, erred: 0, total: 1 },
    ]);
  });

  test('a graph that starts and finishes between two samples still shows as done', () => {
    const t = new PrefixProgressTracker();
    t.sample(new Map(), 0);
    t.onTaskDone('x-1[0]', 'finished', 1);
    t.onTaskDone('x-1[1]', 'erred', 1);
    t.sample(new Map(), 2);
    expect(t.progress()).toEqual([
      { prefix: 'x', waiting: 0, processing: 0, memory: 0, released: 1, erred: 1, total: 2 },
    ]);
  });

  test('finished groups are dropped a minute after their last change', () => {
    const t = new PrefixProgressTracker();
    t.sample(tasks({ 'a-1': 'memory' }), 0);
    t.sample(new Map(), 1000);
    expect(t.progress()).toHaveLength(1);
    t.sample(new Map(), 62_000);
    expect(t.progress()).toEqual([]);
  });
});

describe('TaskRunLog', () => {
  test('keeps the newest runs in its ring, the slowest runs and the time per prefix', () => {
    const log = new TaskRunLog(3);
    for (let i = 0; i < 5; i++)
      log.record(
        {
          worker: 'ws://w:1',
          key: `f-ab[${i}]`,
          status: 'finished',
          timing: { start: 100 * i, stop: 100 * i + 10 * (i + 1), thread: 0 },
        },
        0,
        undefined,
      );
    expect(log.barsSince(0).map((b) => b.key)).toEqual(['f-ab[2]', 'f-ab[3]', 'f-ab[4]']);
    expect(log.barsSince(4).map((b) => b.key)).toEqual(['f-ab[4]']);
    expect(log.dropped).toBe(2);
    expect(log.timings()).toEqual([{ prefix: 'f', count: 5, erred: 0, totalMs: 150, maxMs: 50 }]);
    expect(log.slowest().map((s) => s.durationMs)).toEqual([50, 40, 30, 20, 10]);
  });

  test('keeps the error the scheduler recorded for an erred task', () => {
    const log = new TaskRunLog(10);
    log.record({ worker: 'w', key: 'g-1', status: 'erred', timing: { start: 0, stop: 1, thread: 0 } }, 5, {
      name: 'TypeError',
      message: 'boom',
      stack: 'TypeError: boom\n    at g',
    });
    expect(log.errors()).toEqual([
      { key: 'g-1', worker: 'w', time: 1, name: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at g' },
    ]);
    expect(log.barsSince(0)[0]).toMatchObject({ erred: true, prefix: 'g' });
  });
});

const worker: WorkerView = {
  address: 'ws://127.0.0.1:4000',
  name: 'worker-0',
  nthreads: 2,
  memoryLimit: 1e9,
  memory: 5e8,
  processing: 3,
  executing: 2,
  inMemory: 7,
  pid: 42,
  lastSeen: 1000,
};

describe('the drawings', () => {
  test('values from the cluster are escaped', () => {
    const bar: TaskBar = {
      key: '<script>alert(1)</script>-x',
      prefix: '<img src=x onerror=alert(1)>',
      worker: worker.address,
      thread: 0,
      start: 10,
      stop: 20,
      erred: false,
    };
    const svg = renderTaskStream([bar], [worker], { from: 0, to: 100, axis: 'ago' });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;script&gt;');
    const errs = renderErrors([{ key: 'k', worker: 'w', time: 0, name: 'E', message: '<b onmouseover=x>', stack: '' }]);
    expect(errs).not.toContain('<b onmouseover');
  });

  test('the task stream has a row per worker thread and a bar per run, or a path per colour past the detail limit', () => {
    const bars: TaskBar[] = Array.from({ length: 10 }, (_, i) => ({
      key: `a-1[${i}]`,
      prefix: 'a',
      worker: worker.address,
      thread: i % 2,
      start: i,
      stop: i + 1,
      erred: false,
    }));
    const detailed = renderTaskStream(bars, [worker], { from: 0, to: 20, axis: 'since' });
    expect(detailed.match(/class="task-bar"/g)).toHaveLength(10);
    expect(detailed).toContain('data-bars="10"');
    expect(detailed).toContain('worker-0 #1');
    const coarse = renderTaskStream(bars, [worker], { from: 0, to: 20, axis: 'since', detailLimit: 5 });
    expect(coarse).not.toContain('class="task-bar"');
    expect(coarse.match(/class="task-bars"/g)).toHaveLength(1);
  });

  test('a progress row says when its prefix is complete', () => {
    const html = renderProgress([
      { prefix: 'sum', waiting: 0, processing: 0, memory: 1, released: 3, erred: 0, total: 4 },
    ]);
    expect(html).toContain('data-done="4" data-total="4" data-complete="true"');
  });

  test('the workers table shows CPU (n/a until reported), spilled bytes and the heartbeat age', () => {
    const html = renderWorkersTable([worker], 3500);
    expect(html).toContain('>n/a<');
    expect(html).toContain('2.50 s ago');
    expect(html).toContain('500 MB / 1.00 GB');
    const busy = renderWorkersTable([{ ...worker, cpu: 87.4, spilled: 2e9 }], 3500);
    expect(busy).toContain('>87%<');
    expect(busy).toContain('500 MB / 1.00 GB (+2.00 GB on disk)');
  });

  test('graph layers are longest paths from the roots', () => {
    expect(
      graphLayers(4, [
        [0, 1],
        [1, 3],
        [0, 3],
        [2, 3],
      ]),
    ).toEqual([0, 1, 0, 2]);
  });

  test('colours and sizes', () => {
    expect(prefixColor('sum')).toMatch(/^#[0-9a-f]{6}$/);
    // Prefixes are told apart: 26 one-letter prefixes spread over several palette colours.
    const colours = new Set(Array.from({ length: 26 }, (_, i) => prefixColor(String.fromCharCode(97 + i))));
    expect(colours.size).toBeGreaterThan(5);
    expect(formatBytes(1536)).toBe('1.54 kB');
  });
});

describe('request checks', () => {
  test('Host must name this dashboard', () => {
    const allowed = allowedHosts('127.0.0.1', 8787);
    expect(hostAllowed(allowed, '127.0.0.1:8787')).toBe(true);
    expect(hostAllowed(allowed, 'LOCALHOST:8787')).toBe(true);
    expect(hostAllowed(allowed, '[::1]:8787')).toBe(true);
    expect(hostAllowed(allowed, 'evil.example:8787')).toBe(false);
    expect(hostAllowed(allowed, '127.0.0.1:8788')).toBe(false);
    expect(hostAllowed(allowed, undefined)).toBe(false);
  });

  test('Origin must be the dashboard itself', () => {
    expect(originAllowed('http://127.0.0.1:8787', '127.0.0.1:8787')).toBe(true);
    expect(originAllowed('http://evil.example', '127.0.0.1:8787')).toBe(false);
    expect(originAllowed('https://127.0.0.1:8787', '127.0.0.1:8787')).toBe(false);
    expect(originAllowed(undefined, '127.0.0.1:8787')).toBe(false);
  });

  test('the token, when required, must match', () => {
    expect(tokenAllowed(undefined, null)).toBe(true);
    expect(tokenAllowed('s3cret', null)).toBe(false);
    expect(tokenAllowed('s3cret', 's3cre')).toBe(false);
    expect(tokenAllowed('s3cret', 's3cret')).toBe(true);
  });
});

describe('parseDashboardAddress', () => {
  test("reads Dask's forms", () => {
    expect(parseDashboardAddress(':8787')).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(parseDashboardAddress(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseDashboardAddress('8788')).toEqual({ host: '127.0.0.1', port: 8788 });
    expect(parseDashboardAddress('0.0.0.0:8787')).toEqual({ host: '0.0.0.0', port: 8787 });
    expect(parseDashboardAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseDashboardAddress('localhost:1')).toEqual({ host: 'localhost', port: 1 });
  });

  test('refuses anything else with the accepted forms in the message', () => {
    for (const bad of ['', ':', 'abc', ':99999', 'http://x:1', ':87a']) {
      expect(() => parseDashboardAddress(bad)).toThrow(/dashboard address; write ':8787'/);
    }
  });
});

describe('coalesced bars', () => {
  test('back-to-back runs of one prefix on one thread become one bar with a count', () => {
    const log = new TaskRunLog(100);
    const run = (key: string, thread: number, start: number, stop: number): void =>
      log.record({ worker: 'w', key, status: 'finished', timing: { start, stop, thread } }, 0, undefined);
    run('a-1[0]', 0, 0, 1);
    run('a-1[1]', 0, 1.5, 2);
    run('a-1[2]', 1, 0, 2);
    run('b-2', 0, 2.2, 3);
    run('a-1[3]', 0, 10, 11);
    const bars = log.coalescedSince(0, -Infinity, 1);
    expect(bars.map((b) => [b.key, b.thread, b.start, b.stop, b.count ?? 1])).toEqual([
      ['a-1[0]', 0, 0, 2, 2],
      ['a-1[2]', 1, 0, 2, 1],
      ['b-2', 0, 2.2, 3, 1],
      ['a-1[3]', 0, 10, 11, 1],
    ]);
    expect(renderTaskStream(bars, [], { from: 0, to: 20, axis: 'since' })).toContain('data-bars="5"');
  });
});
