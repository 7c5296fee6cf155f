/*
 * The workers, tasks and graph pages' drawings, as HTML/SVG strings (browser-safe).
 *
 *   workers   a table: name, address, threads, memory against the limit, CPU, processing,
 *             running, results held, last heartbeat, pid. CPU is the worker process's share
 *             of one core since its last heartbeat (n/a until the first); spilled bytes follow
 *             the memory when there are any.
 *   tasks     per-prefix timings (count, total, mean, max, erred, share of all time), the
 *             slowest runs, and the errors with their remote stacks.
 *   graph     the scheduler's current graph (up to a few thousand tasks), laid out in layers by
 *             longest path from the roots, each task a dot coloured by its state.
 */
import type { GraphView, PrefixTiming, SlowTask, TaskErrorView, WorkerView } from '../dashboard-types.js';
import {
  emptyNote,
  esc,
  formatBytes,
  formatMs,
  meterSvg,
  prefixChip,
  prefixColor,
  stateColor,
  workerLabel,
} from './render-common.js';

/** The workers table; `now` is the scheduler's clock, for the heartbeat age. */
export function renderWorkersTable(workers: readonly WorkerView[], now: number): string {
  if (workers.length === 0) return emptyNote('No workers yet.');
  const rows = [...workers]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((w) => {
      const frac = w.memoryLimit > 0 ? w.memory / w.memoryLimit : 0;
      const spilled = w.spilled !== undefined && w.spilled > 0 ? ` (+${esc(formatBytes(w.spilled))} on disk)` : '';
      const mem = `${esc(formatBytes(w.memory))}${w.memoryLimit > 0 ? ` / ${esc(formatBytes(w.memoryLimit))}` : ''}${spilled}`;
      return (
        `<tr class="worker-row" data-address="${esc(w.address)}">` +
        `<td>${esc(w.name)}</td><td class="mono">${esc(w.address)}</td><td class="num">${w.nthreads}</td>` +
        `<td>${meterSvg(frac, frac > 0.85 ? '#c9453f' : '#4a9d5b', 80, 8)} ${mem}</td>` +
        `<td class="num">${w.cpu === undefined ? 'n/a' : `${w.cpu.toFixed(0)}%`}</td>` +
        `<td class="num">${w.processing}</td><td class="num">${w.executing}</td><td class="num">${w.inMemory}</td>` +
        `<td class="num">${esc(formatMs(Math.max(0, now - w.lastSeen)))} ago</td><td class="num">${w.pid}</td></tr>`
      );
    });
  return (
    '<table class="grid" id="workers-table"><thead><tr><th>Name</th><th>Address</th><th>Threads</th><th>Memory</th>' +
    '<th>CPU</th><th>Processing</th><th>Running</th><th>Results</th><th>Last heartbeat</th><th>PID</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** Time per prefix, largest total first. */
export function renderTimings(timings: readonly PrefixTiming[]): string {
  if (timings.length === 0) return emptyNote('No task has run yet.');
  const all = timings.reduce((s, t) => s + t.totalMs, 0) || 1;
  const rows = [...timings]
    .sort((a, b) => b.totalMs - a.totalMs)
    .map(
      (t) =>
        `<tr class="timing-row" data-prefix="${esc(t.prefix)}"><td>${prefixChip(t.prefix)}</td><td class="num">${t.count}</td>` +
        `<td class="num">${esc(formatMs(t.totalMs))}</td><td class="num">${esc(formatMs(t.totalMs / Math.max(1, t.count)))}</td>` +
        `<td class="num">${esc(formatMs(t.maxMs))}</td><td class="num">${t.erred > 0 ? `<b class="erred">${t.erred}</b>` : '0'}</td>` +
        `<td>${meterSvg(t.totalMs / all, prefixColor(t.prefix))} ${((100 * t.totalMs) / all).toFixed(1)}%</td></tr>`,
    );
  return (
    '<table class="grid"><thead><tr><th>Prefix</th><th>Runs</th><th>Total</th><th>Mean</th><th>Max</th><th>Erred</th><th>Share of time</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

export function renderSlowest(slowest: readonly SlowTask[], origin?: number): string {
  if (slowest.length === 0) return emptyNote('No task has run yet.');
  const rows = slowest.map(
    (s) =>
      `<tr><td class="mono">${esc(s.key)}</td><td>${prefixChip(s.prefix)}</td><td class="mono">${esc(workerLabel('', s.worker))}</td>` +
      `<td class="num">${esc(formatMs(s.durationMs))}</td><td class="num">${origin === undefined ? esc(new Date(s.start).toISOString().slice(11, 23)) : `+${esc(formatMs(s.start - origin))}`}</td></tr>`,
  );
  return (
    '<table class="grid"><thead><tr><th>Key</th><th>Prefix</th><th>Worker</th><th>Duration</th><th>Started</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

export function renderErrors(errors: readonly TaskErrorView[]): string {
  if (errors.length === 0) return emptyNote('No task has failed.');
  return errors
    .map(
      (e, i) =>
        `<details class="task-error"${i === 0 ? ' open' : ''}><summary><span class="mono">${esc(e.key)}</span> on ${esc(workerLabel('', e.worker))}: ` +
        `<b class="erred">${esc(e.name)}</b>: ${esc(e.message)}</summary><pre>${esc(e.stack === '' ? '(no stack)' : e.stack)}</pre></details>`,
    )
    .join('');
}

/** Layer of each node: the longest path from a root (Kahn's order; nodes on a cycle get layer 0). */
export function graphLayers(n: number, edges: readonly (readonly [number, number])[]): number[] {
  const layer = new Array<number>(n).fill(0);
  const indegree = new Array<number>(n).fill(0);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    if (a < 0 || a >= n || b < 0 || b >= n) continue;
    out[a]?.push(b);
    indegree[b] = (indegree[b] ?? 0) + 1;
  }
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const a = queue[head] ?? 0;
    for (const b of out[a] ?? []) {
      layer[b] = Math.max(layer[b] ?? 0, (layer[a] ?? 0) + 1);
      indegree[b] = (indegree[b] ?? 1) - 1;
      if (indegree[b] === 0) queue.push(b);
    }
  }
  return layer;
}

const GRAPH_STATES = ['waiting', 'queued', 'no-worker', 'processing', 'memory', 'released', 'erred'] as const;

/** The graph as dots in layers (left to right), edges as thin lines. */
export function renderGraph(graph: GraphView | undefined): string {
  if (graph === undefined) return emptyNote('Waiting for the scheduler…');
  if (graph.kind === 'too-large')
    return emptyNote(`The graph has ${graph.tasks} tasks; this page draws graphs of up to ${graph.limit}.`);
  const n = graph.nodes.length;
  if (n === 0) return emptyNote('The scheduler holds no tasks right now.');
  const layer = graphLayers(n, graph.edges);
  const depth = Math.max(...layer) + 1;
  const slot = new Array<number>(n).fill(0);
  const width = new Array<number>(depth).fill(0);
  for (let i = 0; i < n; i++) {
    const l = layer[i] ?? 0;
    slot[i] = width[l] ?? 0;
    width[l] = (width[l] ?? 0) + 1;
  }
  const tallest = Math.max(...width);
  const gap = Math.max(4, Math.min(24, 1600 / tallest));
  const colW = Math.max(12, Math.min(120, 1200 / depth));
  const r = Math.max(1.5, Math.min(6, gap / 2.5));
  const W = depth * colW + 20;
  const H = tallest * gap + 20;
  const pos = (i: number): [number, number] => {
    const l = layer[i] ?? 0;
    const offset = ((tallest - (width[l] ?? 0)) * gap) / 2;
    return [10 + l * colW + colW / 2, 10 + offset + (slot[i] ?? 0) * gap + gap / 2];
  };
  let lines = '';
  if (graph.edges.length <= 8000) {
    for (const [a, b] of graph.edges) {
      const [x1, y1] = pos(a);
      const [x2, y2] = pos(b);
      lines += `M${x1.toFixed(1)} ${y1.toFixed(1)}L${x2.toFixed(1)} ${y2.toFixed(1)}`;
    }
  }
  let dots = '';
  graph.nodes.forEach((node, i) => {
    const [x, y] = pos(i);
    dots +=
      `<circle class="graph-node" data-state="${esc(node.state)}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${stateColor(node.state)}" stroke="${prefixColor(node.prefix)}">` +
      `<title>${esc(node.key)} · ${esc(node.state)}</title></circle>`;
  });
  const key = GRAPH_STATES.map(
    (s) =>
      `<span class="chip"><svg width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" r="5" fill="${stateColor(s)}"/></svg>${s}</span>`,
  ).join(' ');
  return (
    `<div class="legend">${key}</div><div class="graph-scroll"><svg class="graph" data-nodes="${n}" viewBox="0 0 ${W.toFixed(0)} ${H.toFixed(0)}" width="${Math.max(300, W).toFixed(0)}" role="img" aria-label="task graph">` +
    `<path d="${lines}" stroke="#b9b9b9" stroke-width="0.6" fill="none"/>${dots}</svg></div>`
  );
}
