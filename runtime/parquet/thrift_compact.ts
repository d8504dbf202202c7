/**
 * A lossless reader and writer of Thrift's compact protocol, the encoding of Parquet's footer.
 * Structs decode to their fields by id with each field's wire type kept, so a footer re-encodes
 * byte for byte except where a caller changed it (see parquet_logical_types.ts).
 *
 * @module
 */

/** Compact-protocol wire types. */
export const TType = {
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

/** A decoded value; integers as bigint, doubles as their 8 raw bytes. */
export type ThriftValue =
  | boolean
  | number
  | bigint
  | Uint8Array
  | ThriftStruct
  | ThriftList
  | ThriftMap;

/** One field of a struct: its id, wire type and value. */
export interface ThriftField {
  id: number;
  type: number;
  value: ThriftValue;
}

/** A struct: its fields in wire order. */
export interface ThriftStruct {
  fields: ThriftField[];
}

/** A list or set: element wire type and elements. */
export interface ThriftList {
  elementType: number;
  items: ThriftValue[];
}

/** A map: key and value wire types and the pairs. */
export interface ThriftMap {
  keyType: number;
  valueType: number;
  entries: [ThriftValue, ThriftValue][];
}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error("Thrift data ends early");
    return this.bytes[this.offset++];
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    while (true) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }

  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new Error("Thrift data ends early");
    const part = this.bytes.slice(this.offset, this.offset + length);
    this.offset += length;
    return part;
  }

  value(type: number, inCollection = false): ThriftValue {
    switch (type) {
      case TType.TRUE:
      case TType.FALSE:
        // In a struct the type carries the value; in a collection each element is a byte.
        return inCollection ? this.byte() === TType.TRUE : type === TType.TRUE;
      case TType.BYTE:
        return this.byte();
      case TType.I16:
      case TType.I32:
      case TType.I64:
        return this.zigzag();
      case TType.DOUBLE:
        return this.take(8);
      case TType.BINARY:
        return this.take(Number(this.varint()));
      case TType.LIST:
      case TType.SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        const elementType = header & 0x0f;
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(elementType, true));
        return { elementType, items };
      }
      case TType.MAP: {
        const size = Number(this.varint());
        const types = size ? this.byte() : 0;
        const keyType = types >> 4;
        const valueType = types & 0x0f;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < size; i++) {
          entries.push([this.value(keyType, true), this.value(valueType, true)]);
        }
        return { keyType, valueType, entries };
      }
      case TType.STRUCT:
        return this.struct();
      default:
        throw new Error(`unknown Thrift compact type ${type}`);
    }
  }

  struct(): ThriftStruct {
    const fields: ThriftField[] = [];
    let lastId = 0;
    while (true) {
      const header = this.byte();
      if (header === 0) return { fields };
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta ? lastId + delta : Number(this.zigzag());
      lastId = id;
      fields.push({ id, type, value: this.value(type) });
    }
  }
}

class Writer {
  #parts: number[] = [];
  #chunks: Uint8Array[] = [];

  byte(value: number): void {
    this.#parts.push(value & 0xff);
  }

  bytes(value: Uint8Array): void {
    this.#flush();
    this.#chunks.push(value);
  }

  varint(value: bigint): void {
    let rest = value;
    while (rest >= 0x80n) {
      this.byte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.byte(Number(rest));
  }

  zigzag(value: bigint): void {
    this.varint(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
  }

  value(type: number, value: ThriftValue, inCollection = false): void {
    switch (type) {
      case TType.TRUE:
      case TType.FALSE:
        if (inCollection) this.byte(value ? TType.TRUE : TType.FALSE);
        return;
      case TType.BYTE:
        return this.byte(value as number);
      case TType.I16:
      case TType.I32:
      case TType.I64:
        return this.zigzag(BigInt(value as bigint | number));
      case TType.DOUBLE:
        return this.bytes(value as Uint8Array);
      case TType.BINARY: {
        const bytes = value as Uint8Array;
        this.varint(BigInt(bytes.length));
        return this.bytes(bytes);
      }
      case TType.LIST:
      case TType.SET: {
        const { elementType, items } = value as ThriftList;
        if (items.length < 15) this.byte((items.length << 4) | elementType);
        else {
          this.byte(0xf0 | elementType);
          this.varint(BigInt(items.length));
        }
        for (const item of items) this.value(elementType, item, true);
        return;
      }
      case TType.MAP: {
        const { keyType, valueType, entries } = value as ThriftMap;
        this.varint(BigInt(entries.length));
        if (entries.length) this.byte((keyType << 4) | valueType);
        for (const [key, item] of entries) {
          this.value(keyType, key, true);
          this.value(valueType, item, true);
        }
        return;
      }
      case TType.STRUCT:
        return this.struct(value as ThriftStruct);
      default:
        throw new Error(`unknown Thrift compact type ${type}`);
    }
  }

  struct(value: ThriftStruct): void {
    let lastId = 0;
    for (const field of value.fields) {
      const type = field.type === TType.TRUE || field.type === TType.FALSE
        ? (field.value ? TType.TRUE : TType.FALSE)
        : field.type;
      const delta = field.id - lastId;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(field.id));
      }
      lastId = field.id;
      this.value(type, field.value);
    }
    this.byte(0);
  }

  #flush(): void {
    if (this.#parts.length) this.#chunks.push(Uint8Array.from(this.#parts));
    this.#parts = [];
  }

  finish(): Uint8Array {
    this.#flush();
    const total = this.#chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

/**
 * Decodes one compact-protocol struct.
 *
 * @example
 * ```ts
 * import { decodeStruct, encodeStruct } from "./thrift_compact.ts";
 * const bytes = Uint8Array.from([0x15, 0x04, 0x00]); // field 1, i32 2, stop
 * const struct = decodeStruct(bytes);
 * if (struct.fields[0].value !== 2n) throw new Error();
 * if (encodeStruct(struct).join() !== bytes.join()) throw new Error();
 * ```
 */
export function decodeStruct(bytes: Uint8Array): ThriftStruct {
  const reader = new Reader(bytes);
  const struct = reader.struct();
  if (reader.offset !== bytes.length) throw new Error("trailing bytes after the Thrift struct");
  return struct;
}

/** Encodes one compact-protocol struct. */
export function encodeStruct(struct: ThriftStruct): Uint8Array {
  const writer = new Writer();
  writer.struct(struct);
  return writer.finish();
}
