/*
 * B4 (BENCH.md): x.matmul(x.T).sum() for a 2000×2000 float64 array in 500×500 chunks on threads,
 * against a single-thread i-k-j loop over Aᵀ materialised (≈ 10 s here, so it runs twice).
 */
import * as da from '../dist/src/array.js';
import { medians, type Row } from './measure.js';

const N = 2000;

function naive(a: Float64Array): number {
  // C = A · B with B = Aᵀ materialised first, in the i-k-j loop order (rows of B read
  // contiguously), then the sum of C
  const b = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) b[j * N + i] = a[i * N + j]!;
  const c = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < N; k++) {
      const aik = a[i * N + k]!;
      const row = i * N;
      const brow = k * N;
      for (let j = 0; j < N; j++) c[row + j]! += aik * b[brow + j]!;
    }
  }
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i]!;
  return s;
}

export async function benchMatmul(): Promise<Row[]> {
  const a = new Float64Array(new SharedArrayBuffer(N * N * 8));
  for (let i = 0; i < a.length; i++) a[i] = Math.random();
  const x = da.fromArray(a, { shape: [N, N], chunks: 500 });
  let expected = 0;
  const m = await medians(
    {
      'i-k-j loop (1 thread)': () => (expected = naive(a)),
      'threads (2)': async () => {
        const v = (await x.matmul(x.T).sum().compute({ scheduler: 'threads', numWorkers: 2 })) as number;
        if (expected !== 0 && Math.abs(v - expected) > 1e-9 * expected) throw new Error(`B4 ${v} != ${expected}`);
      },
    },
    { time: 1, iterations: 2, warmupIterations: 1 },
  );
  const base = m.get('i-k-j loop (1 thread)')!;
  const ms = m.get('threads (2)')!;
  return [
    { workload: 'B4 matmul(x, x.T).sum() 2000²', case: 'i-k-j loop (1 thread)', medianMs: base },
    {
      workload: 'B4 matmul(x, x.T).sum() 2000²',
      case: 'threads (2)',
      medianMs: ms,
      baseline: 'i-k-j loop (1 thread)',
      speedup: base / ms,
    },
  ];
}
