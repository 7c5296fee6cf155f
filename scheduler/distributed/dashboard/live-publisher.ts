/*
 * LivePublisher: samples the scheduler and pushes DashboardUpdates to the open pages.
 *
 * Cost model (the dashboard must cost the scheduler little, B6 in BENCH.md):
 *   - always, while the dashboard runs: one TaskRunLog.record per 'task-done' event (a few field
 *     writes into a fixed ring);
 *   - only while at least one page is connected: a tick every `intervalMs` (250 ms: four updates
 *     a second), which walks the task map once for the progress bars (status pages only), builds
 *     one message per kind of page, serialises each once and sends the same string to every page
 *     of that kind. New task-stream bars go out as a delta since the previous tick; a page that
 *     just connected gets the recent history instead (resetBars). Back-to-back runs of one prefix
 *     on one thread, less than a pixel apart, travel as one bar with a count (TaskRunLog).
 *   - the graph is built at most once a second and only for graph pages; the tasks summary only
 *     when it changed.
 *   - duty cycle cap: when ticks take d ms (a moving average), the next one runs no sooner than
 *     50·d ms later (5 s at most), so sampling a huge graph stays under ~2% of the scheduler's
 *     time: it just updates less often.
 *   - a page that does not keep up (more than 8 MiB unsent) is skipped, and gets a fresh history
 *     once it has caught up.
 */
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { SchedulerServer, SchedulerServerEvents } from '../server.js';
import { graphView, workerViews } from './cluster-views.js';
import type { DashboardUpdate, PageName, WorkerView } from './dashboard-types.js';
import { PrefixProgressTracker } from './prefix-progress.js';
import { TaskRunLog } from './task-run-log.js';

const HISTORY_MS = 20_000;
const GRAPH_EVERY_MS = 1000;
const GRAPH_LIMIT = 3000;
const MAX_BUFFERED = 8 * 1024 * 1024;
const DUTY_FACTOR = 50;
const MAX_BACKOFF_MS = 5000;
/** Runs closer than this on one thread are sent as one bar: under a pixel even at the page's
 * narrowest zoom (2 s over ~900 px, 2.2 ms a pixel). */
const COALESCE_GAP_MS = 1;

interface Subscriber {
  readonly ws: WebSocket;
  readonly page: PageName;
  /** Has had the recent task-stream history (status) or a first tasks summary (tasks). */
  primed: boolean;
  tasksVersion: number;
}

type TaskDoneEvent = SchedulerServerEvents['task-done'][0];

export class LivePublisher {
  private readonly subs = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private readonly log = new TaskRunLog(20_000);
  private readonly progress = new PrefixProgressTracker();
  private lastSeq = 0;
  private lastGraphAt = 0;
  private notBefore = 0;
  /** Smoothed tick cost in ms (one slow tick, e.g. a GC pause, must not stall the pages). */
  private tickCost = 0;
  private readonly onTaskDone = (e: TaskDoneEvent): void => {
    const now = Date.now();
    this.log.record(e, now, e.status === 'erred' ? this.server.state.tasks.get(e.key)?.exception : undefined);
    if (this.subs.size > 0) this.progress.onTaskDone(e.key, e.status, now);
  };

  constructor(
    private readonly server: SchedulerServer,
    private readonly intervalMs = 250,
  ) {
    server.on('task-done', this.onTaskDone);
  }

  get pages(): number {
    return this.subs.size;
  }

  add(ws: WebSocket, page: PageName): void {
    const sub: Subscriber = { ws, page, primed: false, tasksVersion: -1 };
    this.subs.add(sub);
    ws.on('close', () => this.remove(sub));
    ws.on('error', () => this.remove(sub));
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), this.intervalMs).unref();
      this.lastGraphAt = 0;
    }
    setImmediate(() => this.tick());
  }

  private remove(sub: Subscriber): void {
    this.subs.delete(sub);
    if (this.subs.size > 0 || this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.progress.clear();
  }

  close(): void {
    this.server.off('task-done', this.onTaskDone);
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.subs) s.ws.close(1001, 'the dashboard is closing');
    this.subs.clear();
  }

  /** One round of sampling and sending; see the cost model above. */
  tick(): void {
    const t0 = performance.now();
    if (t0 < this.notBefore || this.subs.size === 0) return;
    const now = Date.now();
    const kinds = new Set([...this.subs].map((s) => s.page));
    const workers = workerViews(this.server.state);
    const seq = this.log.sequence;
    const status = kinds.has('status') ? this.statusMessages(now, workers) : undefined;
    this.lastSeq = seq;
    let graph: string | undefined;
    if (kinds.has('graph') && now - this.lastGraphAt >= GRAPH_EVERY_MS) {
      this.lastGraphAt = now;
      graph = JSON.stringify(this.update(now, workers, { graph: graphView(this.server.state, GRAPH_LIMIT) }));
    }
    let tasks: string | undefined;
    let plain: string | undefined;
    for (const s of this.subs) {
      if (s.ws.readyState !== s.ws.OPEN) continue;
      if (s.ws.bufferedAmount > MAX_BUFFERED) {
        s.primed = false;
        continue;
      }
      let text: string | undefined;
      if (s.page === 'status' && status !== undefined) {
        text = s.primed ? status.delta() : status.history();
        s.primed = true;
      } else if (s.page === 'graph') {
        text = graph;
      } else if (s.page === 'tasks') {
        if (s.tasksVersion === this.log.version) continue;
        s.tasksVersion = this.log.version;
        tasks ??= JSON.stringify(
          this.update(now, workers, {
            tasks: { slowest: this.log.slowest(), errors: this.log.errors(), timings: this.log.timings() },
          }),
        );
        text = tasks;
      } else {
        plain ??= JSON.stringify(this.update(now, workers, {}));
        text = plain;
      }
      if (text !== undefined) s.ws.send(text);
    }
    this.tickCost = 0.8 * this.tickCost + 0.2 * (performance.now() - t0);
    this.notBefore = t0 + Math.min(MAX_BACKOFF_MS, this.tickCost * DUTY_FACTOR);
  }

  private statusMessages(now: number, workers: readonly WorkerView[]): { delta(): string; history(): string } {
    this.progress.sample(this.server.state.tasks, now);
    const progress = this.progress.progress();
    let delta: string | undefined;
    let history: string | undefined;
    const since = this.lastSeq;
    return {
      delta: () =>
        (delta ??= JSON.stringify(
          this.update(now, workers, { progress, bars: this.log.coalescedSince(since, -Infinity, COALESCE_GAP_MS) }),
        )),
      history: () =>
        (history ??= JSON.stringify(
          this.update(now, workers, {
            progress,
            resetBars: true,
            bars: this.log.coalescedSince(0, now - HISTORY_MS, COALESCE_GAP_MS),
          }),
        )),
    };
  }

  private update(
    now: number,
    workers: readonly WorkerView[],
    parts: Partial<Omit<DashboardUpdate, 'kind' | 'now' | 'workers'>>,
  ): DashboardUpdate {
    return { kind: 'update', now, workers, resetBars: false, bars: [], ...parts };
  }
}
