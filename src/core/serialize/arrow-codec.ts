/*
 * Codec for apache-arrow Tables (the dataframe partitions), moving column buffers without copying.
 *
 * A table is a schema plus record batches; each batch is a tree of `Data` nodes (a struct node
 * whose children are the columns, nested types nesting further, dictionary columns pointing at a
 * dictionary Vector of its own Data nodes). Encoding walks that tree and writes, per node, its
 * length, offset, null count, child nodes and the four buffer slots (valueOffsets, values,
 * nullBitmap, typeIds) plus any variadic buffers, each slot as [typed-array kind, buffer index]
 * or null. The buffers themselves go out as they are: views over the same memory, deduplicated by
 * identity, so a buffer in a SharedArrayBuffer stays shared across threads. The schema travels as
 * JSON (arrow-type-json.ts); dictionary Vectors are encoded once and referenced by index.
 *
 * Decoding rebuilds the schema, then each node with `new Data(type, offset, length, nullCount,
 * buffers, children, dictionary)` — the constructor keeps the given arrays, it does not copy —
 * taking each child's type from its parent's type, then `new RecordBatch(schema, data)` and
 * `new Table(schema, batches)`, all from the apache-arrow module this file imports.
 *
 * Fallback: when the schema holds a type arrow-type-json.ts cannot describe, or a node holds a
 * buffer that is not a typed array, the whole table goes as one Arrow IPC stream (`tableToIPC`)
 * and comes back with `tableFromIPC`, which copies once on the way out.
 */
import { Data, RecordBatch, Struct, Table, Type, Vector, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { DataType, Field, Schema } from 'apache-arrow';
import { SerializationError } from '../errors.js';
import type { Codec, EncodedValue, JsonValue } from './codec-registry.js';
import { buildSchema, describeSchema } from './arrow-type-json.js';
import { isTypedArrayKind, typedArrayKind, viewAs } from './typed-arrays.js';

type JsonObject = { [key: string]: JsonValue };

/** What a Data node is read as: structural, so tables from another copy of apache-arrow work too. */
interface DataLike {
  type: DataType;
  length: number;
  offset: number;
  nullCount: number;
  valueOffsets?: unknown;
  values?: unknown;
  nullBitmap?: unknown;
  typeIds?: unknown;
  variadicBuffers?: readonly unknown[];
  children: readonly DataLike[];
  dictionary?: { data: readonly DataLike[] } | undefined;
}

interface TableLike {
  schema: Schema;
  batches: readonly { data: DataLike }[];
}

class Unsupported extends Error {}

/**
 * A child as a Data node. Arrow itself sometimes stores a one-chunk Vector as a child (a record
 * batch built from empty vectors does); anything else unexpected sends the table by IPC instead.
 */
function asData(child: DataLike | { data?: unknown }): DataLike {
  if (Array.isArray((child as { children?: unknown }).children)) return child as DataLike;
  const chunks = (child as { data?: unknown }).data;
  if (Array.isArray(chunks) && chunks.length === 1) return chunks[0] as DataLike;
  throw new Unsupported();
}

class Encoder {
  readonly buffers: ArrayBufferView[] = [];
  readonly dictionaries: JsonValue[] = [];
  private readonly bufferIndex = new Map<ArrayBufferView, number>();
  private readonly dictionaryIndex = new Map<object, number>();

  slot(buffer: unknown): JsonValue {
    if (buffer === undefined || buffer === null) return null;
    const kind = typedArrayKind(buffer);
    if (kind === undefined) throw new Unsupported();
    const view = buffer as ArrayBufferView;
    let i = this.bufferIndex.get(view);
    if (i === undefined) {
      i = this.buffers.push(view) - 1;
      this.bufferIndex.set(view, i);
    }
    return [kind, i];
  }

  node(d: DataLike): JsonObject {
    const out: JsonObject = {
      n: d.length,
      o: d.offset,
      nc: d.nullCount,
      b: [this.slot(d.valueOffsets), this.slot(d.values), this.slot(d.nullBitmap), this.slot(d.typeIds)],
      c: d.children.map((c) => this.node(asData(c))),
    };
    if (d.variadicBuffers !== undefined && d.variadicBuffers.length > 0) {
      out.v = d.variadicBuffers.map((b) => this.slot(b));
    }
    if (d.dictionary !== undefined && d.dictionary !== null) out.d = this.dictionary(d.dictionary);
    return out;
  }

  private dictionary(vector: { data: readonly DataLike[] }): number {
    let i = this.dictionaryIndex.get(vector);
    if (i === undefined) {
      // Reserve the index first: a nested dictionary inside is numbered after this one.
      i = this.dictionaries.push(null) - 1;
      this.dictionaryIndex.set(vector, i);
      this.dictionaries[i] = vector.data.map((d) => this.node(d));
    }
    return i;
  }
}

function encodeTable(table: TableLike): EncodedValue {
  const schema = describeSchema(table.schema);
  if (schema !== undefined) {
    try {
      const enc = new Encoder();
      const batches = table.batches.map((b) => enc.node(b.data));
      return { header: { schema, batches, dicts: enc.dictionaries }, buffers: enc.buffers };
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  return { header: { ipc: true }, buffers: [tableToIPC(table as unknown as Table, 'stream')] };
}

function bad(what: string): never {
  throw new SerializationError(`received a malformed Arrow table: ${what}`);
}

class Decoder {
  private readonly vectors = new Map<number, Vector>();
  constructor(
    private readonly buffers: readonly Uint8Array[],
    private readonly dicts: readonly JsonValue[],
  ) {}

  private slot(s: JsonValue | undefined): ArrayBufferView | undefined {
    if (s === null || s === undefined) return undefined;
    if (!Array.isArray(s) || !isTypedArrayKind(s[0]) || typeof s[1] !== 'number') return bad('buffer slot');
    const bytes = this.buffers[s[1]] ?? bad(`buffer ${s[1]} is missing`);
    return viewAs(s[0], bytes);
  }

  node(v: JsonValue | undefined, type: DataType): Data {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('data node');
    const { n, o, nc, b, c } = v;
    if (typeof n !== 'number' || typeof o !== 'number' || typeof nc !== 'number') return bad('node lengths');
    if (!Array.isArray(b) || b.length !== 4 || !Array.isArray(c)) return bad('node buffers');
    const fields = (type as { children?: readonly Field[] | null }).children;
    const childTypes: DataType[] = type.typeId === Type.Dictionary ? [] : (fields ?? []).map((f) => f.type as DataType);
    if (childTypes.length !== c.length) return bad(`type ${type.typeId} expects ${childTypes.length} children`);
    const children = childTypes.map((t, i) => this.node(c[i], t));
    const buffers = b.map((s) => this.slot(s));
    const variadic = Array.isArray(v.v) ? v.v.map((s) => this.slot(s) as Uint8Array) : [];
    const dictionary = typeof v.d === 'number' ? this.dictionary(v.d, type) : undefined;
    return new Data(type, o, n, nc, buffers as never, children, dictionary, variadic);
  }

  private dictionary(index: number, type: DataType): Vector {
    const hit = this.vectors.get(index);
    if (hit !== undefined) return hit;
    const valueType = (type as { dictionary?: DataType }).dictionary ?? bad('dictionary on a non-dictionary column');
    const nodes = this.dicts[index];
    if (!Array.isArray(nodes)) return bad(`dictionary ${index} is missing`);
    const vector = new Vector(nodes.map((d) => this.node(d, valueType)));
    this.vectors.set(index, vector);
    return vector;
  }
}

function decodeTable(header: JsonValue, buffers: readonly Uint8Array[]): Table {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return bad('header');
  if (header.ipc === true) return tableFromIPC(buffers[0] ?? bad('IPC buffer is missing'));
  const schema = buildSchema(header.schema);
  const { batches, dicts } = header;
  if (!Array.isArray(batches) || !Array.isArray(dicts)) return bad('batches');
  const decoder = new Decoder(buffers, dicts);
  const structType = new Struct(schema.fields);
  return new Table(
    schema,
    batches.map((b) => new RecordBatch(schema, decoder.node(b, structType) as Data<never>)),
  );
}

export const arrowCodec: Codec<Table> = {
  name: 'arrow-table',
  canHandle: (value): value is Table => Table.isTable(value),
  encode: (table) => encodeTable(table as TableLike),
  decode: decodeTable,
};
