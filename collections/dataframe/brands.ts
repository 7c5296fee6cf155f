/*
 * The realm-safe brands of the DataFrame collections (`Symbol.for` keys: `instanceof` fails
 * across workers and across copies of the package) and the checks on them. They live apart from
 * the classes so that an op can check its argument (merge takes a DataFrame, filter a Series)
 * without importing a class.
 */
import type { DataFrame } from './dataframe.js';
import type { Scalar, ScalarValue } from './scalar.js';
import type { Series } from './series.js';

export const DATAFRAME = Symbol.for('dask-ts/DataFrame');
export const SERIES = Symbol.for('dask-ts/Series');
export const SCALAR = Symbol.for('dask-ts/Scalar');

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[brand] === true;
}

export function isDataFrame(value: unknown): value is DataFrame {
  return branded(value, DATAFRAME);
}

export function isSeries(value: unknown): value is Series {
  return branded(value, SERIES);
}

export function isScalar(value: unknown): value is Scalar<ScalarValue> {
  return branded(value, SCALAR);
}
