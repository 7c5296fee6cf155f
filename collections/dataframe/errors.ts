/*
 * DataFrame errors. Each is a ValueError (code DASK_ERR_VALUE, stable) with a more precise class
 * name and the structured facts as own properties, which survive the trip back from a worker
 * thread (error-codec.ts keeps own JSON properties):
 *   ColumnNotFoundError  column, available     a name that is not a column of the frame
 *   DTypeError           column, dtype         an operation the column's dtype does not support
 *   CsvParseError        file, line, column?   a malformed CSV row or a value of the wrong type
 * The classes are registered with the error codec, so an error raised on a worker is rebuilt as
 * an instance of its own class (`instanceof CsvParseError` holds on every scheduler).
 */
import { ValueError } from '../../src/core/errors.js';
import { registerErrorClass } from '../../src/core/serialize/error-codec.js';

export class ColumnNotFoundError extends ValueError {
  readonly column: string;
  readonly available: readonly string[];
  constructor(column: string, available: readonly string[], where = '') {
    super(
      `column '${column}' not found${where === '' ? '' : ` in ${where}`}; the columns are: ${available.map((c) => `'${c}'`).join(', ')}`,
    );
    this.name = 'ColumnNotFoundError';
    this.column = column;
    this.available = available;
  }
}

export class DTypeError extends ValueError {
  readonly column: string;
  readonly dtype: string;
  constructor(message: string, column: string, dtype: string) {
    super(message);
    this.name = 'DTypeError';
    this.column = column;
    this.dtype = dtype;
  }
}

export class CsvParseError extends ValueError {
  readonly file: string;
  readonly line: number;
  readonly column: string | undefined;
  constructor(file: string, line: number, detail: string, column?: string) {
    super(`${file}, line ${line}: ${detail}`);
    this.name = 'CsvParseError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

for (const cls of [ColumnNotFoundError, DTypeError, CsvParseError]) {
  registerErrorClass(cls.name, () => Object.create(cls.prototype) as Error);
}
