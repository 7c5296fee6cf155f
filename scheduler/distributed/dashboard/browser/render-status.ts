/*
 * The status page's drawings, as SVG/HTML strings (browser-safe, no run-time imports but
 * render-common.js):
 *
 *   task stream   one row per worker thread, time to the right; one bar per task run, coloured
 *                 by prefix (erred runs black). Up to DETAIL_LIMIT bars each is a <rect> with a
 *                 <title> tooltip; beyond that, the bars of one colour are one <path>, and bars
 *                 that touch on screen are merged into one span, so a 5,000-task burst costs a
 *                 few hundred path segments at most. The <svg> carries data-bars = runs shown
 *                 (a bar may stand for several back-to-back runs: TaskBar.count).
 *   progress      one row per prefix: released + in memory (solid), processing (pale), erred
 *                 (black), waiting (the grey rest); data-done / data-total / data-complete on
 *                 each row for people and tests alike.
 *   memory        bytes held per worker against its limit (green, orange past 60%, red past 85%).
 *   processing    tasks sent to each worker and not yet reported back.
 */
import type { PrefixProgress, TaskBar, WorkerView } from '../dashboard-types.js';
import {
  emptyNote,
  ERRED_COLOR,
  esc,
  formatBytes,
  formatMs,
  prefixChip,
  prefixColor,
  tickStep,
  workerLabel,
} from './render-common.js';

export const DETAIL_LIMIT = 1000;

export interface StreamOptions {
  /** Left and right edges of the time axis (epoch ms). */
  readonly from: number;
  readonly to: number;
  /** 'ago': ticks read "-10 s" from the right edge (live); 'since': "+2 s" from the left (report). */
  readonly axis: 'ago' | 'since';
  readonly detailLimit?: number;
}

interface Row {
  readonly id: string;
  readonly label: string;
}

/** Rows: every thread of every known worker, then threads seen only in bars (workers since gone). */
function streamRows(bars: readonly TaskBar[], workers: readonly WorkerView[]): Row[] {
  const rows: Row[] = [];
  const seen = new Set<string>();
  const add = (address: string, thread: number, label: string): void => {
    const id = `${address}#${thread}`;
    if (seen.has(id)) return;
    seen.add(id);
    rows.push({ id, label });
  };
  for (const w of sortedWorkers(workers)) {
    for (let t = 0; t < Math.max(1, w.nthreads); t++)
      add(w.address, t, w.nthreads > 1 ? `${workerLabel(w.name, w.address)} #${t}` : workerLabel(w.name, w.address));
  }
  for (const b of bars) add(b.worker, b.thread, `${workerLabel('', b.worker)} #${b.thread}`);
  return rows;
}

function axisSvg(o: StreamOptions, x0: number, width: number, y: number): string {
  const span = Math.max(1, o.to - o.from);
  const step = tickStep(span, 6);
  let out = `<line x1="${x0}" y1="${y}" x2="${x0 + width}" y2="${y}" stroke="#999"/>`;
  for (let t = 0; t <= span + 1e-9; t += step) {
    const x = o.axis === 'ago' ? x0 + width - (t / span) * width : x0 + (t / span) * width;
    const label = o.axis === 'ago' ? (t === 0 ? 'now' : `-${formatMs(t)}`) : `+${formatMs(t)}`;
    out +=
      `<line x1="${x.toFixed(1)}" y1="${y}" x2="${x.toFixed(1)}" y2="${y + 4}" stroke="#999"/>` +
      `<text x="${x.toFixed(1)}" y="${y + 15}" text-anchor="${x > x0 + width - 25 ? 'end' : 'middle'}" class="tick">${esc(label)}</text>`;
  }
  return out;
}

/** The task stream as one <svg>. */
export function renderTaskStream(bars: readonly TaskBar[], workers: readonly WorkerView[], o: StreamOptions): string {
  const rows = streamRows(bars, workers);
  if (rows.length === 0) return emptyNote('No workers yet.');
  const W = 1000;
  const labelW = 120;
  const plotW = W - labelW - 10;
  const rowH = Math.max(10, Math.min(28, Math.floor(240 / rows.length)));
  const plotH = rows.length * rowH;
  const H = plotH + 24;
  const span = Math.max(1, o.to - o.from);
  const rowIndex = new Map(rows.map((r, i) => [r.id, i]));
  const visible = bars.filter((b) => b.stop >= o.from && b.start <= o.to);
  const detailed = visible.length <= (o.detailLimit ?? DETAIL_LIMIT);
  const x = (t: number): number => labelW + ((Math.max(o.from, Math.min(o.to, t)) - o.from) / span) * plotW;
  let body = '';
  rows.forEach((r, i) => {
    body +=
      `<rect x="${labelW}" y="${i * rowH}" width="${plotW}" height="${rowH}" fill="${i % 2 === 0 ? '#fafafa' : '#f3f3f3'}"/>` +
      `<text x="${labelW - 6}" y="${i * rowH + rowH / 2 + 4}" text-anchor="end" class="row-label">${esc(r.label)}</text>`;
  });
  const spans = new Map<string, [number, number][]>();
  for (const b of visible) {
    const row = rowIndex.get(`${b.worker}#${b.thread}`) ?? 0;
    const bx = x(b.start);
    const bw = Math.max(1, x(b.stop) - bx);
    const fill = b.erred ? ERRED_COLOR : prefixColor(b.prefix);
    if (detailed) {
      body +=
        `<rect class="task-bar" data-prefix="${esc(b.prefix)}" x="${bx.toFixed(1)}" y="${row * rowH + 1}" width="${bw.toFixed(1)}" height="${rowH - 2}" fill="${fill}" stroke="#fff" stroke-width="0.5">` +
        `<title>${(b.count ?? 1) > 1 ? `${b.count ?? 1} × ${esc(b.prefix)}` : esc(b.key)} · ${esc(formatMs(b.stop - b.start))}${b.erred ? ' · erred' : ''}</title></rect>`;
    } else {
      const id = `${fill}|${row}`;
      const list = spans.get(id) ?? [];
      if (list.length === 0) spans.set(id, list);
      list.push([bx, bx + bw]);
    }
  }
  const paths = new Map<string, string>();
  for (const [id, list] of spans) {
    const bar = id.indexOf('|');
    const fill = id.slice(0, bar);
    const y = Number(id.slice(bar + 1)) * rowH + 1;
    let d = paths.get(fill) ?? '';
    for (const [x0, x1] of mergeSpans(list))
      d += `M${x0.toFixed(1)} ${y}h${(x1 - x0).toFixed(1)}v${rowH - 2}h${(x0 - x1).toFixed(1)}z`;
    paths.set(fill, d);
  }
  for (const [fill, d] of paths) body += `<path class="task-bars" d="${d}" fill="${fill}"/>`;
  const runs = visible.reduce((n, b) => n + (b.count ?? 1), 0);
  return (
    `<svg class="task-stream" data-bars="${runs}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="task stream">` +
    body +
    axisSvg(o, labelW, plotW, plotH + 2) +
    '</svg>' +
    legend(visible)
  );
}

/** Pixel spans of one row and colour, sorted and merged where they touch (within half a pixel). */
function mergeSpans(list: [number, number][]): [number, number][] {
  list.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [x0, x1] of list) {
    const last = out[out.length - 1];
    if (last !== undefined && x0 <= last[1] + 0.5) last[1] = Math.max(last[1], x1);
    else out.push([x0, x1]);
  }
  return out;
}

/** The prefixes drawn, most frequent first (at most 12). */
function legend(bars: readonly TaskBar[]): string {
  const counts = new Map<string, number>();
  for (const b of bars) counts.set(b.prefix, (counts.get(b.prefix) ?? 0) + (b.count ?? 1));
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return top.length === 0
    ? ''
    : `<div class="legend">${top.map(([p, n]) => `${prefixChip(p)}<span class="count">${n}</span>`).join(' ')}</div>`;
}

/** Progress per prefix, one row each, in the order the prefixes appeared. */
export function renderProgress(progress: readonly PrefixProgress[]): string {
  if (progress.length === 0) return emptyNote('No tasks yet.');
  const W = 400;
  const H = 14;
  let out = '';
  for (const p of progress) {
    const done = p.memory + p.released;
    const total = Math.max(1, p.total);
    const seg = (n: number): number => (n / total) * W;
    const xs = [seg(p.released), seg(p.memory), seg(p.erred), seg(p.processing)];
    const color = prefixColor(p.prefix);
    let x = 0;
    let rects = `<rect width="${W}" height="${H}" fill="#ececec"/>`;
    const parts: [number, string, string][] = [
      [xs[0] ?? 0, color, '0.75'],
      [xs[1] ?? 0, color, '1'],
      [xs[2] ?? 0, ERRED_COLOR, '1'],
      [xs[3] ?? 0, color, '0.35'],
    ];
    for (const [w, fill, opacity] of parts) {
      if (w > 0)
        rects += `<rect x="${x.toFixed(1)}" width="${w.toFixed(1)}" height="${H}" fill="${fill}" fill-opacity="${opacity}"/>`;
      x += w;
    }
    const complete = p.total > 0 && done + p.erred === p.total;
    out +=
      `<div class="progress-row" data-prefix="${esc(p.prefix)}" data-done="${done}" data-total="${p.total}" data-complete="${complete}">` +
      `<div class="progress-label">${prefixChip(p.prefix)}<span class="count">${done} / ${p.total}</span></div>` +
      `<svg viewBox="0 0 ${W} ${H}" width="100%" height="${H}" preserveAspectRatio="none" aria-hidden="true">${rects}</svg>` +
      `<div class="progress-detail">waiting ${p.waiting} · processing ${p.processing} · in memory ${p.memory} · released ${p.released}${p.erred > 0 ? ` · <b class="erred">erred ${p.erred}</b>` : ''}</div>` +
      '</div>';
  }
  return out;
}

function memoryColor(fraction: number): string {
  return fraction > 0.85 ? '#c9453f' : fraction > 0.6 ? '#e8883a' : '#4a9d5b';
}

/** One labelled horizontal bar: HTML text (which does not scale with the panel) around an SVG bar. */
function hbar(label: string, fraction: number, fill: string, value: string, attrs: string, tip: string): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  return (
    `<div class="hbar-row"><span class="hbar-label">${esc(label)}</span>` +
    `<svg class="hbar" viewBox="0 0 1000 10" preserveAspectRatio="none" height="14" aria-hidden="true"><rect width="1000" height="10" fill="#ececec"/>` +
    `<rect ${attrs} width="${(f * 1000).toFixed(0)}" height="10" fill="${fill}"><title>${esc(tip)}</title></rect></svg>` +
    `<span class="hbar-value">${esc(value)}</span></div>`
  );
}

/** Bytes held per worker against its limit (or against the largest holder when no limit is set). */
export function renderMemory(workers: readonly WorkerView[]): string {
  if (workers.length === 0) return emptyNote('No workers yet.');
  const scale = Math.max(1, ...workers.map((w) => w.memory));
  const rows = sortedWorkers(workers).map((w) => {
    const frac = w.memoryLimit > 0 ? w.memory / w.memoryLimit : w.memory / scale;
    const value = `${formatBytes(w.memory)}${w.memoryLimit > 0 ? ` / ${formatBytes(w.memoryLimit)}` : ''}`;
    return hbar(
      workerLabel(w.name, w.address),
      frac,
      memoryColor(w.memoryLimit > 0 ? frac : 0),
      value,
      `class="memory-bar" data-worker="${esc(w.address)}"`,
      w.memoryLimit > 0 ? `${value} (${(100 * frac).toFixed(1)}%)` : `${value} (no limit)`,
    );
  });
  const total = workers.reduce((s, w) => s + w.memory, 0);
  const limits = workers.reduce((s, w) => s + w.memoryLimit, 0);
  return `<p class="figure">${esc(formatBytes(total))}${limits > 0 ? ` of ${esc(formatBytes(limits))}` : ''}</p>${rows.join('')}`;
}

/** Tasks processing per worker, and in all. */
export function renderProcessing(workers: readonly WorkerView[]): string {
  if (workers.length === 0) return emptyNote('No workers yet.');
  const total = workers.reduce((s, w) => s + w.processing, 0);
  const scale = Math.max(1, ...workers.map((w) => w.processing));
  const rows = sortedWorkers(workers).map((w) =>
    hbar(
      workerLabel(w.name, w.address),
      w.processing / scale,
      '#8a6bbf',
      String(w.processing),
      `class="processing-bar" data-worker="${esc(w.address)}"`,
      `${w.processing} processing, ${w.executing} running on ${w.nthreads} thread${w.nthreads === 1 ? '' : 's'}`,
    ),
  );
  return `<p class="figure"><span id="processing-total">${total}</span> processing</p>${rows.join('')}`;
}

function sortedWorkers(workers: readonly WorkerView[]): WorkerView[] {
  return [...workers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
