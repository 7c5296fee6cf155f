/*
 * `npm run bench`: runs every workload of BENCH.md implemented so far, prints a table and writes
 * bench/results/latest.json (with the machine it ran on). Pass workload ids to run a subset:
 * `npm run bench -- B1`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { benchTinyTasks } from './b1-tiny-tasks.js';
import { benchMillionTasks } from './b7-million-tasks.js';
import { benchArrayReductions } from './b2-b3-array-reductions.js';
import { benchMatmul } from './b4-matmul.js';
import { benchHugeMean } from './b7-huge-mean.js';
import { benchGroupby } from './b5-groupby.js';
import { benchDistributed } from './b6-distributed.js';
import type { Row } from './measure.js';

// B7b first: its peak-RSS figure is only meaningful in a process that has not yet held other
// workloads' data.
const workloads: Record<string, () => Promise<Row[]>> = {
  B7b: benchHugeMean,
  B1: benchTinyTasks,
  B2B3: benchArrayReductions,
  B4: benchMatmul,
  B5: benchGroupby,
  B6: benchDistributed,
  B7: benchMillionTasks,
};

const wanted = process.argv.slice(2).filter((a) => a in workloads);
const rows: Row[] = [];
for (const [id, run] of Object.entries(workloads)) {
  if (wanted.length > 0 && !wanted.includes(id)) continue;
  console.error(`running ${id} ...`);
  rows.push(...(await run()));
}

const fmt = (v: number | undefined, digits: number): string => (v === undefined ? '' : v.toFixed(digits));
console.table(
  rows.map((r) => ({
    workload: r.workload,
    case: r.case,
    'median ms': fmt(r.medianMs, 2),
    'µs/task': fmt(r.usPerTask, 2),
    'vs baseline':
      r.baseline === undefined || r.speedup === undefined ? '' : `${r.speedup.toPrecision(3)}× ${r.baseline}`,
  })),
);
const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('latest.json', dir), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2));
console.error(`wrote bench/results/latest.json (${machine.cores} cores, ${machine.cpu})`);
process.exit(0);
