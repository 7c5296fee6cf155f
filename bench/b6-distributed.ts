/*
 * B6 (BENCH.md): a LocalCluster of 2 worker processes × 1 thread on this machine. One
 * submit().result() round trip (client → scheduler → worker thread → scheduler → client, then the
 * value fetched from the worker), and client.map of 5,000 tiny tasks followed by gather. Every
 * iteration uses fresh arguments, so no result is reused from an earlier one. BENCH.md sets no
 * peer for B6; as a same-run reference the 5,000 calls also run as a delayed graph on the
 * one-machine threads scheduler (2 threads), which needs no sockets.
 */
import { Client, LocalCluster, submitOptions } from '../dist/src/distributed.js';
import { delayed } from '../dist/src/index.js';
import { medians, type Row } from './measure.js';

const N = 5000;

export async function benchDistributed(): Promise<Row[]> {
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  const client = await Client.connect(cluster, { setAsDefault: false });
  let round = 0;
  const inc = (x: number): number => x + 1;
  const m = await medians(
    {
      'round trip submit().result()': async () => {
        const x = ++round;
        const v = await client.submit(inc, x, submitOptions({ pure: false })).result();
        if (v !== x + 1) throw new Error(`B6 round trip gave ${v}, expected ${x + 1}`);
      },
      'map 5,000 + gather': async () => {
        const base = ++round * N;
        const xs = Array.from({ length: N }, (_, i) => base + i);
        const out = await client.gather(client.map(inc, xs));
        for (let i = 0; i < N; i++) if (out[i] !== xs[i]! + 1) throw new Error(`B6 map gave ${out[i]} at ${i}`);
      },
      'threads scheduler, 5,000 delayed (2 threads)': async () => {
        const base = ++round * N;
        const d = delayed(inc);
        const out = await delayed((...vs: number[]) => vs, { name: 'collect' })(
          ...Array.from({ length: N }, (_, i) => d(base + i)),
        ).compute({ scheduler: 'threads', numWorkers: 2 });
        if (out[N - 1] !== base + N) throw new Error('B6 threads reference computed a wrong value');
      },
    },
    { time: 3000, iterations: 20, warmupIterations: 5 },
  );
  await client.close();
  await cluster.close();
  const rt = m.get('round trip submit().result()')!;
  const map = m.get('map 5,000 + gather')!;
  const threads = m.get('threads scheduler, 5,000 delayed (2 threads)')!;
  return [
    { workload: 'B6 LocalCluster 2×1', case: 'round trip submit().result()', medianMs: rt },
    {
      workload: 'B6 LocalCluster 2×1',
      case: 'map 5,000 + gather',
      medianMs: map,
      usPerTask: (map * 1000) / N,
      baseline: 'threads scheduler',
      speedup: threads / map,
    },
    {
      workload: 'B6 LocalCluster 2×1',
      case: 'threads scheduler, 5,000 delayed (2 threads)',
      medianMs: threads,
      usPerTask: (threads * 1000) / N,
    },
  ];
}
