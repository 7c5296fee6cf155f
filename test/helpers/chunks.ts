// Test helper: a C-order chunk of `dtype` and `shape` holding `vals`, for kernel tests.
import { chunkOf, type Chunk } from '../../collections/array/chunk.js';
import { dtypeInfo, type DType } from '../../collections/array/dtype.js';

export function chunk(dtype: DType, shape: number[], vals: readonly number[]): Chunk {
  const data = new (dtypeInfo(dtype).ctor)(vals.length);
  for (let i = 0; i < vals.length; i++) data[i] = vals[i]!;
  return chunkOf(data, shape);
}
