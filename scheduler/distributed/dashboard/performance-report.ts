/*
 * performanceReport(path, cluster, body): runs `body` and writes what the cluster did meanwhile to
 * one self-contained HTML file (report-html.ts): the task stream, time per task prefix, the
 * slowest runs, errors and workers. Dask's `with performance_report(filename=...)`, as a function
 * taking the block:
 *
 *   await performanceReport('report.html', cluster, async () => {
 *     await client.compute(x.sum());
 *   });
 *
 * It listens to the scheduler's 'task-done' events for the span of the block, whatever client
 * caused the work, so run one report at a time per cluster for a clean picture. The file is
 * written even when the block throws (then the error is thrown on). It returns what the block
 * returned. At most `maxBars` runs are drawn (the latest); all are counted in the timings.
 */
import { writeFile } from 'node:fs/promises';
import type { SchedulerServer, SchedulerServerEvents } from '../server.js';
import { workerViews } from './cluster-views.js';
import { reportHtml } from './report-html.js';
import { TaskRunLog } from './task-run-log.js';

export interface PerformanceReportOptions {
  /** The report's heading. Default 'dask-ts performance report'. */
  readonly title?: string;
  /** Runs drawn in the task stream, at most. Default 50,000. */
  readonly maxBars?: number;
}

/** A LocalCluster (or anything else holding the scheduler), or the SchedulerServer itself. */
export type ReportSource = { readonly server: SchedulerServer } | SchedulerServer;

export async function performanceReport<T>(
  path: string,
  cluster: ReportSource,
  body: () => Promise<T>,
  options: PerformanceReportOptions = {},
): Promise<T> {
  const server = 'server' in cluster ? cluster.server : cluster;
  const log = new TaskRunLog(options.maxBars ?? 50_000);
  const onTaskDone = (e: SchedulerServerEvents['task-done'][0]): void =>
    log.record(e, Date.now(), e.status === 'erred' ? server.state.tasks.get(e.key)?.exception : undefined);
  const start = Date.now();
  server.on('task-done', onTaskDone);
  let result: T;
  try {
    result = await body();
  } finally {
    server.off('task-done', onTaskDone);
    const stop = Date.now();
    const html = reportHtml({
      title: options.title ?? 'dask-ts performance report',
      start,
      stop,
      bars: log.barsSince(0),
      barsDropped: log.dropped,
      timings: log.timings(),
      workers: workerViews(server.state),
      errors: log.errors(),
      slowest: log.slowest(),
    });
    await writeFile(path, html, 'utf8');
  }
  return result;
}
