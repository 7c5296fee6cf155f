/*
 * A performance report as one self-contained HTML file: a summary, the task stream of the whole
 * span, time per task prefix, the slowest runs, the errors and the workers. The drawings are the
 * dashboard's own (browser/render-*.ts), rendered here in Node into static SVG and HTML, so the
 * file needs no script at all: tooltips are SVG <title>s, and its CSP (default-src 'none') makes
 * sure the browser fetches nothing while showing it.
 */
import type { ReportData } from './dashboard-types.js';
import { esc, formatMs } from './browser/render-common.js';
import { renderErrors, renderSlowest, renderTimings, renderWorkersTable } from './browser/render-pages.js';
import { renderTaskStream } from './browser/render-status.js';
import { DASHBOARD_CSS } from './page-shell.js';

export function reportHtml(d: ReportData): string {
  const runs = d.timings.reduce((s, t) => s + t.count, 0);
  const erred = d.timings.reduce((s, t) => s + t.erred, 0);
  const busy = d.timings.reduce((s, t) => s + t.totalMs, 0);
  const threads = d.workers.reduce((s, w) => s + w.nthreads, 0);
  const span = Math.max(0, d.stop - d.start);
  const use = threads > 0 && span > 0 ? busy / (threads * span) : 0;
  const summary =
    `<p class="meta">${esc(new Date(d.start).toISOString())} · wall time ${esc(formatMs(span))} · ${runs} task runs` +
    `${erred > 0 ? ` (<b class="erred">${erred} erred</b>)` : ''} · compute time ${esc(formatMs(busy))} · ` +
    `${d.workers.length} workers, ${threads} threads · threads busy ${(100 * use).toFixed(0)}%` +
    `${d.barsDropped > 0 ? ` · the stream shows the last ${d.bars.length} runs (${d.barsDropped} earlier ones are counted but not drawn)` : ''}</p>`;
  const stream = renderTaskStream(d.bars, d.workers, {
    from: d.start,
    to: Math.max(d.stop, d.start + 1),
    axis: 'since',
    detailLimit: 20_000,
  });
  const section = (id: string, title: string, html: string): string =>
    `<section id="panel-${id}"><h2>${esc(title)}</h2><div id="${id}">${html}</div></section>`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(d.title)}</title><link rel="icon" href="data:,"><style>${DASHBOARD_CSS}</style></head>` +
    `<body data-page="report"><header><span class="brand">dask-ts</span><h1>${esc(d.title)}</h1></header>` +
    `<main class="report">${summary}` +
    section('stream', 'Task stream', stream) +
    section('timings', 'Time per task prefix', renderTimings(d.timings)) +
    section('slowest', 'Slowest tasks', renderSlowest(d.slowest, d.start)) +
    section('errors', 'Errors', renderErrors(d.errors)) +
    section('workers', 'Workers (at the end)', renderWorkersTable(d.workers, d.stop)) +
    '</main></body></html>\n'
  );
}
