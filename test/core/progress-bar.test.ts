/*
 * The progress bar draws live only on a terminal, and on the sync scheduler too (every task runs in
 * one turn there, so it redraws from posttask rather than from a timer); elsewhere it writes one
 * plain final line.
 */
import { describe, expect, test } from 'vitest';
import { compute, delayed } from '../../src/index.js';
import { progressBar } from '../../src/core/progress-bar.js';

function recorder(isTTY: boolean): { writes: string[]; out: { isTTY: boolean; write(t: string): boolean } } {
  const writes: string[] = [];
  return { writes, out: { isTTY, write: (t: string) => writes.push(t) > 0 } };
}

describe('progress bar', () => {
  test('on a terminal the sync scheduler redraws while it runs, ending at 100%', async () => {
    const { writes, out } = recorder(true);
    const inc = delayed((x: number) => x + 1);
    const values = await compute(...Array.from({ length: 10 }, (_, i) => inc(i)), {
      scheduler: 'sync',
      hooks: [progressBar({ out, interval: 0 })],
    });
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const percents = writes.map((w) => Number(/(\d+)% Completed/.exec(w)?.[1]));
    expect(writes.length).toBe(11); // one redraw per task, then the final line
    expect(writes.every((w) => w.startsWith('\r'))).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.slice(0, 3)).toEqual([10, 20, 30]);
    expect(writes.at(-1)).toMatch(/\[#{40}\] \| 100% Completed \| [\d.]+s\n$/);
  });

  test('elsewhere (a log file, a pipe) only the final line is written, without carriage returns', async () => {
    const { writes, out } = recorder(false);
    const inc = delayed((x: number) => x + 1);
    await compute(...Array.from({ length: 10 }, (_, i) => inc(i)), {
      scheduler: 'sync',
      hooks: [progressBar({ out, interval: 0 })],
    });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\[#{40}\] \| 100% Completed \| [\d.]+s\n$/);
  });
});
