/** The examples' timer: the shortest of `runs` runs of `f`, in ms (the first run warms up the code). */
export async function best(f: () => unknown, runs = 5): Promise<number> {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}
