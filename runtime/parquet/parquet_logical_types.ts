/**
 * Gives UUID, JSON and INTERVAL columns of a Parquet file written by parquet-wasm the types
 * DuckDB writes for them. parquet-wasm keeps Arrow's `arrow.uuid` and `arrow.json` extension
 * types only in its embedded Arrow schema, which DuckDB ignores: a UUID would read back as BLOB
 * and JSON as VARCHAR. The footer is rewritten in place (the data pages do not change), with
 * the UUID logical type on 16-byte fixed-size leaves, JSON (logical and converted) on string
 * leaves and the INTERVAL converted type on 12-byte leaves, so the Arrow path and DuckDB's own
 * COPY produce the same column types.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { decodeStruct, encodeStruct, type ThriftStruct, TType } from "./thrift_compact.ts";

/** Logical types the footer rewrite can add. */
export type LeafAnnotation = "uuid" | "json" | "interval" | undefined;

const EXTENSION = "ARROW:extension:name";
const MAGIC = "PAR1";
// parquet.thrift field ids.
const FILE_SCHEMA = 2;
const ELEMENT = { TYPE: 1, NUM_CHILDREN: 5, CONVERTED_TYPE: 6, LOGICAL_TYPE: 10 };
const LOGICAL = { JSON: 12, UUID: 14 };
const CONVERTED = { JSON: 19n, INTERVAL: 21n };

function annotationOf(field: arrow.Field): LeafAnnotation {
  const name = field.metadata.get(EXTENSION);
  if (name === "arrow.uuid") return "uuid";
  if (name === "arrow.json") return "json";
  // 12 bytes already in Parquet's INTERVAL layout (months, days, milliseconds).
  if (name === "dvt.parquet_interval") return "interval";
  return undefined;
}

/** Parquet leaves in order (depth first, as Arrow writers lay them out), with annotations. */
export function leafAnnotations(fields: readonly arrow.Field[]): LeafAnnotation[] {
  const leaves: LeafAnnotation[] = [];
  const visit = (field: arrow.Field) => {
    // deno-lint-ignore no-explicit-any -- nested Arrow types expose `children`
    const children = (field.type as any).children as arrow.Field[] | undefined;
    if (children?.length) children.forEach(visit);
    else leaves.push(annotationOf(field));
  };
  fields.forEach(visit);
  return leaves;
}

function setField(struct: ThriftStruct, id: number, type: number, value: ThriftStruct | bigint) {
  struct.fields = struct.fields.filter((field) => field.id !== id);
  struct.fields.push({ id, type, value });
  struct.fields.sort((a, b) => a.id - b.id);
}

function annotate(element: ThriftStruct, annotation: LeafAnnotation): void {
  if (annotation === "uuid") {
    const logical = { fields: [{ id: LOGICAL.UUID, type: TType.STRUCT, value: { fields: [] } }] };
    setField(element, ELEMENT.LOGICAL_TYPE, TType.STRUCT, logical);
  } else if (annotation === "json") {
    const logical = { fields: [{ id: LOGICAL.JSON, type: TType.STRUCT, value: { fields: [] } }] };
    setField(element, ELEMENT.CONVERTED_TYPE, TType.I32, CONVERTED.JSON);
    setField(element, ELEMENT.LOGICAL_TYPE, TType.STRUCT, logical);
  } else if (annotation === "interval") {
    setField(element, ELEMENT.CONVERTED_TYPE, TType.I32, CONVERTED.INTERVAL);
  }
}

function isLeaf(element: ThriftStruct): boolean {
  const children = element.fields.find((field) => field.id === ELEMENT.NUM_CHILDREN);
  return element.fields.some((field) => field.id === ELEMENT.TYPE) &&
    (!children || children.value === 0n);
}

/** Applies `annotations` (one per leaf, in order) to a decoded FileMetaData. */
function annotateSchema(metadata: ThriftStruct, annotations: LeafAnnotation[]): void {
  const schema = metadata.fields.find((field) => field.id === FILE_SCHEMA);
  if (!schema) throw new Error("the Parquet footer has no schema");
  const elements = (schema.value as { items: ThriftStruct[] }).items;
  const leaves = elements.filter(isLeaf);
  if (leaves.length !== annotations.length) {
    throw new Error(
      `the Parquet schema has ${leaves.length} leaves, expected ${annotations.length}`,
    );
  }
  leaves.forEach((leaf, i) => annotate(leaf, annotations[i]));
}

/**
 * Rewrites the footer of the Parquet file at `path` so its UUID and JSON leaves carry their
 * logical types. Does nothing when no leaf needs one.
 */
export async function addLogicalTypes(path: string, fields: readonly arrow.Field[]) {
  const annotations = leafAnnotations(fields);
  if (!annotations.some((annotation) => annotation)) return;
  using file = await Deno.open(path, { read: true, write: true });
  const size = (await file.stat()).size;
  const tail = new Uint8Array(8);
  await file.seek(size - 8, Deno.SeekMode.Start);
  await readFully(file, tail);
  if (new TextDecoder().decode(tail.subarray(4)) !== MAGIC) throw new Error("not a Parquet file");
  const footerLength = new DataView(tail.buffer).getUint32(0, true);
  const footerStart = size - 8 - footerLength;
  const footer = new Uint8Array(footerLength);
  await file.seek(footerStart, Deno.SeekMode.Start);
  await readFully(file, footer);
  const metadata = decodeStruct(footer);
  annotateSchema(metadata, annotations);
  const encoded = encodeStruct(metadata);
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, encoded.length, true);
  trailer.set(new TextEncoder().encode(MAGIC), 4);
  await file.truncate(footerStart);
  await file.seek(footerStart, Deno.SeekMode.Start);
  for (const part of [encoded, trailer]) {
    let written = 0;
    while (written < part.length) written += await file.write(part.subarray(written));
  }
}

async function readFully(file: Deno.FsFile, into: Uint8Array): Promise<void> {
  let read = 0;
  while (read < into.length) {
    const n = await file.read(into.subarray(read));
    if (n === null) throw new Error("the Parquet file ends early");
    read += n;
  }
}
