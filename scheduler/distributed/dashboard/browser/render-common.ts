/*
 * Helpers shared by every dashboard drawing: HTML escaping, a stable colour per task prefix,
 * and number formatting. Browser-safe: no imports at run time, no DOM, no Node. The same
 * functions run in the browser (served compiled from dist/) and in Node (performance reports),
 * so a page and a report draw the same thing.
 *
 * Every drawing is a string of HTML or SVG built here and set with innerHTML by the page; every
 * value that comes from the cluster (keys, prefixes, error messages, addresses) goes through
 * esc() first. No inline `style` attributes: the live pages run under a CSP without
 * 'unsafe-inline', so sizes and colours are SVG presentation attributes or CSS classes.
 */

/** Escapes text for HTML content and double-quoted attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** Twelve colours that stay apart on white; a prefix always gets the same one. */
const PALETTE = [
  '#3b73b9',
  '#e8883a',
  '#4a9d5b',
  '#c9453f',
  '#8a6bbf',
  '#8c5a4a',
  '#d671b4',
  '#6f7378',
  '#b5b23a',
  '#2fa8b8',
  '#9fb9dd',
  '#f0b77c',
] as const;

const colorCache = new Map<string, string>();

/** FNV-1a over the prefix's UTF-16 units, folded onto the palette (remembered per prefix). */
export function prefixColor(prefix: string): string {
  const known = colorCache.get(prefix);
  if (known !== undefined) return known;
  let h = 0x811c9dc5;
  for (let i = 0; i < prefix.length; i++) {
    h ^= prefix.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const color = PALETTE[h % PALETTE.length] ?? '#6f7378';
  if (colorCache.size < 10_000) colorCache.set(prefix, color);
  return color;
}

export const ERRED_COLOR = '#111111';

/** Colours of the scheduler's task states, for the graph page. */
export function stateColor(state: string): string {
  switch (state) {
    case 'processing':
      return '#4a9d5b';
    case 'memory':
      return '#3b73b9';
    case 'released':
      return '#9fb9dd';
    case 'erred':
      return '#c9453f';
    case 'no-worker':
      return '#e8883a';
    case 'queued':
      return '#c8c8c8';
    default:
      return '#e3e3e3';
  }
}

/** 1536 → '1.54 kB' (powers of 1000, as Dask prints them). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return 'n/a';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toPrecision(3)} ${units[u] ?? ''}`;
}

/** 0.42 → '420 µs', 1234 → '1.23 s'. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toPrecision(3)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A round tick step for an axis spanning `span` ms, about `target` ticks. */
export function tickStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** The short name shown for a worker: its name, or the port of its address. */
export function workerLabel(name: string, address: string): string {
  if (name !== '') return name;
  const m = /:(\d+)$/.exec(address);
  return m === null ? address : `:${m[1] ?? ''}`;
}

/** A coloured square and the prefix, for legends and tables. */
export function prefixChip(prefix: string): string {
  return `<span class="chip"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${prefixColor(prefix)}"/></svg>${esc(prefix)}</span>`;
}

/** An empty-state line. */
export function emptyNote(text: string): string {
  return `<p class="empty">${esc(text)}</p>`;
}

/** A bar 0..1 drawn as a small SVG (for table cells). */
export function meterSvg(fraction: number, color: string, width = 120, height = 10): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  return (
    `<svg class="meter" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-hidden="true">` +
    `<rect width="${width}" height="${height}" fill="#ececec"/><rect width="${(f * width).toFixed(1)}" height="${height}" fill="${color}"/></svg>`
  );
}
