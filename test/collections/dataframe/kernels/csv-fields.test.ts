import { describe, expect, test } from 'vitest';
import { parseNumber } from '../../../../collections/dataframe/kernels/csv-fields.js';
import { argsort } from '../../../../collections/dataframe/kernels/argsort.js';
import { colOfData } from '../../../../collections/dataframe/kernels/columns.js';
import { columnData } from '../../../../collections/dataframe/kernels/to-shared.js';
import { random } from '../reference.js';

const enc = new TextEncoder();
const parse = (s: string): number | undefined => {
  const b = enc.encode(s);
  return parseNumber(b, 0, b.length);
};

describe('CSV number parsing', () => {
  test('agrees with Number() bit for bit on integers, decimals, long mantissas and exponents', () => {
    const r = random(3);
    const samples = [
      '0',
      '-0',
      '7',
      '-12',
      '+5',
      '3.25',
      '0.1',
      '-0.30000000000000004',
      '12.950000000000001',
      '9007199254740993',
      '1e3',
      '-2.5E-7',
      '123456789012345678901234567890',
      'inf',
      'Infinity',
      '-Infinity',
      '.5',
      '5.',
      '00042',
    ];
    for (let i = 0; i < 2000; i++)
      samples.push(String((r() - 0.5) * 10 ** Math.floor(r() * 30 - 10)), (r() * 1e6).toFixed(Math.floor(r() * 12)));
    for (const s of samples) {
      const want = Number(s);
      const got = parse(s);
      expect(Object.is(got, Number.isNaN(want) ? undefined : want) || (s === 'inf' && got === undefined), s).toBe(true);
    }
  });

  test('text that is not a number gives undefined, NaN text gives NaN', () => {
    expect(parse('abc')).toBeUndefined();
    expect(parse('1.2.3')).toBeUndefined();
    expect(parse('')).toBeUndefined();
    expect(parse('NaN')).toBeNaN();
  });
});

describe('argsort', () => {
  test('sorts floats with negatives, zeros, infinities and missing values stably, large and small', () => {
    const r = random(9);
    for (const n of [10, 300, 5000, 70_000]) {
      const values = Array.from({ length: n }, () =>
        r() < 0.05 ? null : r() < 0.05 ? -0 : r() < 0.02 ? -Infinity : Math.round((r() - 0.5) * 1000) / 10,
      );
      const col = colOfData(columnData(values, 'x', 'float64'), 'x');
      for (const ascending of [true, false]) {
        const order = [...argsort([col], [ascending], n)];
        const want = values
          .map((v, i) => [v, i] as const)
          .sort(([a, i], [b, j]) =>
            a === null ? (b === null ? i - j : 1) : b === null ? -1 : (ascending ? a - b : b - a) || i - j,
          )
          .map(([, i]) => i);
        expect(order).toEqual(want);
      }
    }
  });
});
