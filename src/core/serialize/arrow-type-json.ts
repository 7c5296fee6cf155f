/*
 * Arrow schemas as JSON, so a table's layout rides in the small JSON header of a codec while its
 * buffers travel separately (see arrow-codec.ts). A type is `{t: <Type id>, ...its parameters}`:
 *   Int {signed, bits}  Float {precision}  Decimal {scale, precision, bits}  Date/Interval/Duration
 *   {unit}  Time {unit, bits}  Timestamp {unit, tz}  FixedSizeBinary {byteWidth}  List/LargeList/
 *   Struct {children}  FixedSizeList {listSize, children}  Map {keysSorted, children}
 *   Union {mode, typeIds, children}  Dictionary {id, ordered, indices, dictionary}
 *   Null, Bool, Binary, LargeBinary, Utf8, LargeUtf8, BinaryView, Utf8View: no parameters.
 * A field is `{name, nullable, type, meta?}` and metadata maps are lists of [key, value] pairs.
 * This mirrors what Arrow's own IPC Schema message holds, minus the flatbuffer: encoding an IPC
 * schema and parsing it back costs ~0.2 ms per table, this costs microseconds. A type this file
 * does not know describes as undefined, and the codec then falls back to Arrow IPC.
 */
import {
  Binary,
  BinaryView,
  Bool,
  Date_,
  Decimal,
  Dictionary,
  Duration,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float,
  Int,
  Interval,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  Null,
  Schema,
  Struct,
  Time,
  Timestamp,
  Type,
  Union,
  Utf8,
  Utf8View,
} from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { SerializationError } from '../errors.js';
import type { JsonValue } from './codec-registry.js';

type JsonObject = { [key: string]: JsonValue };

/** The parameters any Arrow DataType may carry, read structurally (works across Arrow copies). */
interface TypeParams {
  typeId: Type;
  isSigned?: boolean;
  bitWidth?: number;
  precision?: number;
  scale?: number;
  unit?: number;
  timezone?: string | null;
  byteWidth?: number;
  listSize?: number;
  keysSorted?: boolean;
  mode?: number;
  typeIds?: ArrayLike<number>;
  children?: readonly Field[] | null;
  id?: number;
  isOrdered?: boolean;
  indices?: DataType;
  dictionary?: DataType;
}

function describeFields(fields: readonly Field[] | null | undefined): JsonValue[] | undefined {
  const out: JsonValue[] = [];
  for (const f of fields ?? []) {
    const d = describeField(f);
    if (d === undefined) return undefined;
    out.push(d);
  }
  return out;
}

function describeMetadata(meta: ReadonlyMap<string, string> | null | undefined): JsonValue[] | undefined {
  return meta !== null && meta !== undefined && meta.size > 0 ? [...meta].map(([k, v]) => [k, v]) : undefined;
}

export function describeField(f: Field): JsonObject | undefined {
  const type = describeType(f.type as DataType);
  if (type === undefined) return undefined;
  const out: JsonObject = { name: f.name, nullable: f.nullable, type };
  const meta = describeMetadata(f.metadata);
  if (meta !== undefined) out.meta = meta;
  return out;
}

/** JSON for an Arrow type, or undefined for a type this file cannot rebuild. */
export function describeType(type: DataType): JsonObject | undefined {
  const p = type as unknown as TypeParams;
  const t = p.typeId;
  switch (t) {
    case Type.Null:
    case Type.Bool:
    case Type.Binary:
    case Type.LargeBinary:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.BinaryView:
    case Type.Utf8View:
      return { t };
    case Type.Int:
      return { t, signed: p.isSigned ?? true, bits: p.bitWidth ?? 32 };
    case Type.Float:
      return { t, precision: p.precision ?? 2 };
    case Type.Decimal:
      return { t, scale: p.scale ?? 0, precision: p.precision ?? 0, bits: p.bitWidth ?? 128 };
    case Type.Date:
    case Type.Interval:
    case Type.Duration:
      return { t, unit: p.unit ?? 0 };
    case Type.Time:
      return { t, unit: p.unit ?? 0, bits: p.bitWidth ?? 32 };
    case Type.Timestamp:
      return { t, unit: p.unit ?? 0, tz: p.timezone ?? null };
    case Type.FixedSizeBinary:
      return { t, byteWidth: p.byteWidth ?? 0 };
    case Type.List:
    case Type.LargeList:
    case Type.Struct:
    case Type.FixedSizeList:
    case Type.Map:
    case Type.Union:
      return describeNested(p);
    case Type.Dictionary: {
      const indices = p.indices === undefined ? undefined : describeType(p.indices);
      const dictionary = p.dictionary === undefined ? undefined : describeType(p.dictionary);
      if (indices === undefined || dictionary === undefined) return undefined;
      return { t, id: p.id ?? 0, ordered: p.isOrdered ?? false, indices, dictionary };
    }
    default:
      return undefined;
  }
}

function describeNested(p: TypeParams): JsonObject | undefined {
  const children = describeFields(p.children);
  if (children === undefined) return undefined;
  const t = p.typeId;
  if (t === Type.FixedSizeList) return { t, listSize: p.listSize ?? 0, children };
  if (t === Type.Map) return { t, keysSorted: p.keysSorted ?? false, children };
  if (t === Type.Union) return { t, mode: p.mode ?? 0, typeIds: Array.from(p.typeIds ?? []), children };
  return { t, children };
}

export function describeSchema(schema: Schema): JsonObject | undefined {
  const fields = describeFields(schema.fields);
  if (fields === undefined) return undefined;
  const out: JsonObject = { fields };
  const meta = describeMetadata(schema.metadata);
  if (meta !== undefined) out.meta = meta;
  return out;
}

function bad(what: string): never {
  throw new SerializationError(`received a malformed Arrow schema: ${what}`);
}

function obj(v: JsonValue | undefined, what: string): JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : bad(what);
}

function num(d: JsonObject, key: string): number {
  const v = d[key];
  return typeof v === 'number' ? v : bad(`"${key}" is not a number`);
}

function bool(d: JsonObject, key: string): boolean {
  const v = d[key];
  return typeof v === 'boolean' ? v : bad(`"${key}" is not a boolean`);
}

function buildMetadata(v: JsonValue | undefined): Map<string, string> | null {
  if (v === undefined) return null;
  if (!Array.isArray(v)) bad('metadata is not a list');
  const out = new Map<string, string>();
  for (const pair of v) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') bad('metadata entry');
    out.set(pair[0], pair[1]);
  }
  return out;
}

export function buildField(v: JsonValue | undefined): Field<DataType> {
  const d = obj(v, 'field');
  const name = d.name;
  if (typeof name !== 'string') bad('field name');
  return new Field<DataType>(name, buildType(d.type), bool(d, 'nullable'), buildMetadata(d.meta));
}

function buildChildren(d: JsonObject): Field<DataType>[] {
  const c = d.children;
  return Array.isArray(c) ? c.map(buildField) : bad('children is not a list');
}

/** Rebuilds the Arrow type `describeType` described. */
export function buildType(v: JsonValue | undefined): DataType {
  const d = obj(v, 'type');
  const t = num(d, 't') as Type;
  switch (t) {
    case Type.Null:
      return new Null();
    case Type.Bool:
      return new Bool();
    case Type.Binary:
      return new Binary();
    case Type.LargeBinary:
      return new LargeBinary();
    case Type.Utf8:
      return new Utf8();
    case Type.LargeUtf8:
      return new LargeUtf8();
    case Type.BinaryView:
      return new BinaryView();
    case Type.Utf8View:
      return new Utf8View();
    case Type.Int:
      return new Int(bool(d, 'signed'), num(d, 'bits') as 32);
    case Type.Float:
      return new Float(num(d, 'precision'));
    case Type.Decimal:
      return new Decimal(num(d, 'scale'), num(d, 'precision'), num(d, 'bits'));
    case Type.Date:
      return new Date_(num(d, 'unit'));
    case Type.Interval:
      return new Interval(num(d, 'unit'));
    case Type.Duration:
      return new Duration(num(d, 'unit'));
    case Type.Time:
      return new Time(num(d, 'unit'), num(d, 'bits') as 32);
    case Type.Timestamp: {
      const tz = d.tz;
      return new Timestamp(num(d, 'unit'), typeof tz === 'string' ? tz : null);
    }
    case Type.FixedSizeBinary:
      return new FixedSizeBinary(num(d, 'byteWidth'));
    case Type.List:
      return new List(buildChildren(d)[0] ?? bad('list without child'));
    case Type.LargeList:
      return new LargeList(buildChildren(d)[0] ?? bad('list without child'));
    case Type.Struct:
      return new Struct(buildChildren(d));
    case Type.FixedSizeList:
      return new FixedSizeList(num(d, 'listSize'), buildChildren(d)[0] ?? bad('list without child'));
    case Type.Map: {
      const entries = (buildChildren(d)[0] ?? bad('map without entries')) as Field<
        Struct<{ key: DataType; value: DataType }>
      >;
      return new Map_(entries, bool(d, 'keysSorted'));
    }
    case Type.Union: {
      const ids = d.typeIds;
      if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'number')) bad('union typeIds');
      return new Union(num(d, 'mode'), ids, buildChildren(d));
    }
    case Type.Dictionary:
      return new Dictionary(buildType(d.dictionary), buildType(d.indices) as never, num(d, 'id'), bool(d, 'ordered'));
    default:
      return bad(`unknown type id ${t}`);
  }
}

export function buildSchema(v: JsonValue | undefined): Schema {
  const d = obj(v, 'schema');
  const fields = d.fields;
  if (!Array.isArray(fields)) bad('fields is not a list');
  return new Schema(fields.map(buildField), buildMetadata(d.meta));
}
