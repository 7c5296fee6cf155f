/*
 * `import * as dd from 'dask-ts/dataframe'`: partitioned tables of Apache Arrow record batches
 * (Dask's dask.dataframe). Constructors and readers, the DataFrame / Series / Scalar / GroupBy
 * classes, and the errors a user may catch, as listed in the DataFrame section of API.md.
 */
import { registerBuiltinSchedulers } from './builtin-schedulers.js';

registerBuiltinSchedulers();

export { DataFrame, type Division } from '../collections/dataframe/dataframe.js';
export { Series, type Operand } from '../collections/dataframe/series.js';
export { Scalar, type ScalarValue } from '../collections/dataframe/scalar.js';
export { GroupBy } from '../collections/dataframe/groupby.js';
export type { GroupByOptions, AggRequest } from '../collections/dataframe/ops/groupby-agg.js';
export type { AggKind } from '../collections/dataframe/kernels/groupby-state.js';
export { fromColumns, fromArrow, fromRecords, readCsv, readParquet } from '../collections/dataframe/constructors.js';
export type { FromOptions } from '../collections/dataframe/ops/from-tables.js';
export type { ColumnInput } from '../collections/dataframe/kernels/to-shared.js';
export type { ReadCsvOptions } from '../collections/dataframe/io/read-csv.js';
export type { ReadParquetOptions, ParquetFilter } from '../collections/dataframe/io/read-parquet.js';
export type { ToCsvOptions } from '../collections/dataframe/io/to-csv.js';
export type { ToParquetOptions } from '../collections/dataframe/io/to-parquet.js';
export type { MergeOptions } from '../collections/dataframe/ops/merge.js';
export type { SortOptions } from '../collections/dataframe/ops/sort-values.js';
export type { MapPartitionsOptions } from '../collections/dataframe/ops/map-partitions.js';
export type { ReduceOptions } from '../collections/dataframe/ops/reductions.js';
export { DTYPES, type DType } from '../collections/dataframe/dtype.js';
export { ColumnNotFoundError, DTypeError, CsvParseError } from '../collections/dataframe/errors.js';
