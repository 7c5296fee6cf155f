/*
 * The page script of the live dashboard (runs in the browser; served compiled from
 * dist/scheduler/distributed/dashboard/browser/ as an ES module, with render-*.js beside it).
 *
 *   connect   ws(s)://<this host>/ws?page=<page>[&token=…] (the token, if the page URL had one)
 *   receive   DashboardUpdate messages, a few per second: the task-stream bars are appended
 *             (or replaced, on resetBars) and trimmed to the visible window; the rest replaces
 *             what the page showed
 *   draw      at most once per animation frame, only the panels of this page
 *   lost      the connection: the header says so and it reconnects, waiting 1 s, 2 s, … 5 s
 *
 * The project compiles against Node's types only (no DOM lib), so the few browser objects used
 * here are described by the small interfaces below and reached through globalThis.
 */
import type { DashboardUpdate, PageName, TaskBar } from '../dashboard-types.js';
import { renderErrors, renderGraph, renderSlowest, renderTimings, renderWorkersTable } from './render-pages.js';
import { renderMemory, renderProcessing, renderProgress, renderTaskStream } from './render-status.js';

interface Elem {
  innerHTML: string;
  textContent: string | null;
  className: string;
}
interface Doc {
  getElementById(id: string): Elem | null;
  readonly body: { readonly dataset: Readonly<Record<string, string | undefined>> };
}
interface Socket {
  onmessage: ((ev: { readonly data: unknown }) => void) | null;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
}
interface BrowserGlobals {
  readonly document: Doc;
  readonly location: { readonly protocol: string; readonly host: string; readonly search: string };
  readonly WebSocket: new (url: string) => Socket;
  setTimeout(cb: () => void, ms: number): number;
  requestAnimationFrame(cb: () => void): number;
  URLSearchParams: new (init: string) => { get(name: string): string | null };
}

const g = globalThis as unknown as BrowserGlobals;
/** How much of the past the task stream shows. */
const WINDOW_MS = 20_000;
/** The shortest time span the task stream shows. */
const MIN_SPAN_MS = 2_000;
/** Bars kept, at most (the newest). */
const MAX_BARS = 20_000;

interface PageState {
  bars: TaskBar[];
  last: DashboardUpdate | undefined;
  drawPending: boolean;
  retries: number;
}

function pageName(): PageName {
  const p = g.document.body.dataset.page;
  return p === 'workers' || p === 'tasks' || p === 'graph' ? p : 'status';
}

/** What each panel was last set to: a panel whose drawing did not change is left alone. */
const drawn = new Map<string, string>();

function setHtml(id: string, html: string): void {
  const el = g.document.getElementById(id);
  if (el === null || drawn.get(id) === html) return;
  drawn.set(id, html);
  el.innerHTML = html;
}

function setConnection(text: string, cls: 'live' | 'down'): void {
  const el = g.document.getElementById('conn');
  if (el === null) return;
  el.textContent = text;
  el.className = cls;
}

function merge(state: PageState, u: DashboardUpdate): void {
  state.bars = u.resetBars ? [...u.bars] : state.bars.concat(u.bars);
  const from = u.now - WINDOW_MS;
  let drop = 0;
  while (drop < state.bars.length && (state.bars[drop]?.stop ?? 0) < from) drop++;
  if (state.bars.length - drop > MAX_BARS) drop = state.bars.length - MAX_BARS;
  if (drop > 0) state.bars = state.bars.slice(drop);
  state.last = u;
}

/** The task stream zooms to the activity: from the earliest bar kept (at most WINDOW_MS ago, at least MIN_SPAN_MS). */
function streamStart(bars: readonly TaskBar[], now: number): number {
  let first = now;
  for (const b of bars) first = Math.min(first, b.start);
  return Math.max(now - WINDOW_MS, Math.min(first, now - MIN_SPAN_MS));
}

function draw(page: PageName, state: PageState): void {
  state.drawPending = false;
  const u = state.last;
  if (u === undefined) return;
  switch (page) {
    case 'status':
      setHtml(
        'stream',
        renderTaskStream(state.bars, u.workers, { from: streamStart(state.bars, u.now), to: u.now, axis: 'ago' }),
      );
      setHtml('progress', renderProgress(u.progress ?? []));
      setHtml('memory', renderMemory(u.workers));
      setHtml('processing', renderProcessing(u.workers));
      break;
    case 'workers':
      setHtml('workers', renderWorkersTable(u.workers, u.now));
      break;
    case 'tasks':
      setHtml('timings', renderTimings(u.tasks?.timings ?? []));
      setHtml('slowest', renderSlowest(u.tasks?.slowest ?? []));
      setHtml('errors', renderErrors(u.tasks?.errors ?? []));
      break;
    case 'graph':
      setHtml('graph', renderGraph(u.graph));
      break;
  }
}

function isUpdate(v: unknown): v is DashboardUpdate {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as { kind?: unknown }).kind === 'update' &&
    Array.isArray((v as { bars?: unknown }).bars)
  );
}

function connect(page: PageName, state: PageState): void {
  const token = new g.URLSearchParams(g.location.search).get('token');
  const scheme = g.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${g.location.host}/ws?page=${page}${token === null ? '' : `&token=${encodeURIComponent(token)}`}`;
  const ws = new g.WebSocket(url);
  ws.onopen = () => {
    state.retries = 0;
    setConnection('live', 'live');
  };
  ws.onmessage = (ev) => {
    if (typeof ev.data !== 'string') return;
    const msg: unknown = JSON.parse(ev.data);
    if (!isUpdate(msg)) return;
    merge(state, msg);
    if (!state.drawPending) {
      state.drawPending = true;
      g.requestAnimationFrame(() => draw(page, state));
    }
  };
  ws.onclose = () => {
    setConnection('disconnected: retrying', 'down');
    state.retries++;
    g.setTimeout(() => connect(page, state), Math.min(5000, 1000 * state.retries));
  };
}

connect(pageName(), { bars: [], last: undefined, drawPending: false, retries: 0 });
