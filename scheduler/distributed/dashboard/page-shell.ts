/*
 * The dashboard's HTML and CSS. A live page is a static shell: navigation, one empty panel per
 * drawing, and the page script (/assets/dashboard-app.js, a module) that connects the WebSocket
 * and fills the panels. The shell carries no cluster data, so serving it needs no token; the data
 * only flows over the checked WebSocket. The performance report reuses the CSS, inlined.
 *
 * System fonts only: nothing is fetched from the network.
 */
import type { PageName } from './dashboard-types.js';

export const PAGES: readonly PageName[] = ['status', 'workers', 'tasks', 'graph'];

const TITLES: Readonly<Record<PageName, string>> = {
  status: 'Status',
  workers: 'Workers',
  tasks: 'Tasks',
  graph: 'Graph',
};

export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #222; --muted: #6b6b6b; --line: #dedede; --accent: #3b73b9; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
header { display: flex; align-items: center; gap: 18px; padding: 8px 16px; border-bottom: 1px solid var(--line); background: #f7f7f7; }
header .brand { font-weight: 700; }
nav a { margin-right: 12px; color: var(--accent); text-decoration: none; }
nav a[aria-current="page"] { color: var(--ink); font-weight: 600; border-bottom: 2px solid var(--accent); }
#conn { margin-left: auto; color: var(--muted); }
#conn.live::before { content: "● "; color: #4a9d5b; }
#conn.down::before { content: "● "; color: #c9453f; }
main { padding: 12px 16px; display: grid; gap: 14px; }
main.status { grid-template-columns: minmax(260px, 1fr) 2fr; }
main.status #panel-stream { grid-column: 1 / -1; }
section { border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; min-width: 0; }
h2 { font-size: 13px; margin: 0 0 6px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
h1 { font-size: 18px; margin: 0; }
.empty { color: var(--muted); margin: 6px 0; }
.figure { font-size: 15px; margin: 0 0 4px; }
.row-label, .tick { font-size: 11px; fill: #444; }
.legend { margin-top: 4px; display: flex; flex-wrap: wrap; gap: 4px 10px; }
.chip { display: inline-flex; align-items: center; gap: 4px; }
.count { color: var(--muted); margin-left: 4px; }
.progress-row { margin-bottom: 8px; }
.progress-label { display: flex; justify-content: space-between; }
.progress-detail { color: var(--muted); font-size: 11px; }
.erred { color: #c9453f; }
table.grid { border-collapse: collapse; width: 100%; }
table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: middle; }
table.grid th { color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
.meter { vertical-align: middle; }
details.task-error { margin-bottom: 6px; }
details.task-error pre { background: #f7f7f7; padding: 6px; overflow: auto; max-height: 260px; font-size: 12px; }
.graph-scroll { overflow: auto; max-height: 80vh; }
.hbar-row { display: grid; grid-template-columns: 90px 1fr minmax(60px, auto); gap: 8px; align-items: center; margin: 3px 0; }
.hbar { width: 100%; display: block; }
.hbar-value { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.meta { color: var(--muted); margin: 4px 0 0; }
`;

function panel(id: string, title: string): string {
  return `<section id="panel-${id}"><h2>${title}</h2><div id="${id}"><p class="empty">Connecting…</p></div></section>`;
}

function panels(page: PageName): string {
  switch (page) {
    case 'status':
      return (
        panel('stream', 'Task stream') +
        panel('progress', 'Progress') +
        `<div>${panel('memory', 'Bytes in memory per worker')}${panel('processing', 'Tasks processing')}</div>`
      );
    case 'workers':
      return panel('workers', 'Workers');
    case 'tasks':
      return panel('timings', 'Time per task prefix') + panel('slowest', 'Slowest tasks') + panel('errors', 'Errors');
    case 'graph':
      return panel('graph', 'Task graph');
  }
}

/** Navigation between the pages; `query` (already URL-safe, '' or '?token=…') is kept on each link. */
export function navHtml(current: PageName | undefined, query: string): string {
  return `<nav>${PAGES.map((p) => `<a href="/${p}${query}"${p === current ? ' aria-current="page"' : ''}>${TITLES[p]}</a>`).join('')}</nav>`;
}

/** A live page's HTML. */
export function pageShell(page: PageName, query: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>dask-ts · ${TITLES[page]}</title><link rel="icon" href="data:,">` +
    '<link rel="stylesheet" href="/assets/dashboard.css">' +
    '<script type="module" src="/assets/dashboard-app.js"></script></head>' +
    `<body data-page="${page}"><header><span class="brand">dask-ts</span>${navHtml(page, query)}<span id="conn">connecting…</span></header>` +
    `<main class="${page}">${panels(page)}</main></body></html>`
  );
}

export function isPageName(s: string): s is PageName {
  return (PAGES as readonly string[]).includes(s);
}
