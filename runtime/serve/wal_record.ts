/**
 * How a record of the write-ahead log is laid out in a segment file, and read back.
 *
 * Version 2 (written since 2026-11-29): a header line, then the raw body bytes, then a newline:
 *
 * ```text
 * {"v":2,"seq":7,"id":"d-7","receivedAt":"2026-11-29T15:00:00.000Z","headers":{...},"bytes":2481,"crc32":123}\n
 * <2481 bytes of the request body as received>\n
 * ```
 *
 * The body is never re-encoded (version 1 kept it as a JSON string inside the line, which cost a
 * JSON.stringify per delivery on the thread that acknowledges). `bytes` and the body's CRC-32 say
 * where the record ends and whether it is whole: a record cut short by a crash (never
 * acknowledged: its fsync did not return) fails one of them, and reading stops there.
 *
 * Version 1 (one JSON line per record, `{"seq","id","receivedAt","headers","body":"<text>"}`) is
 * still read, so segments a previous dvt serve left behind are replayed after an upgrade; each
 * record says which version it is, so a segment may hold both.
 *
 * @module
 */
import { crc32 } from "node:zlib";

/** One delivery as the log keeps it: enough to hand it to the connector again. */
export interface WalRecord {
  /** Position in the log; increases by one per record, across restarts. */
  seq: number;
  /** The delivery id header's value, when the sender sent one. */
  id?: string;
  /** When the delivery was acknowledged (ISO-8601); handed to the connector on replay too. */
  receivedAt: string;
  /** Request headers (lower-cased), without the signature. */
  headers: Record<string, string>;
  /** The raw request body. */
  body: Uint8Array;
}

/** The record format written now. */
export const WAL_VERSION = 2;

interface HeaderV2 {
  v: 2;
  seq: number;
  id?: string;
  receivedAt: string;
  headers: Record<string, string>;
  bytes: number;
  crc32: number;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record as the bytes appended to a segment (version 2). */
export function encodeRecord(record: WalRecord): Uint8Array {
  const header: HeaderV2 = {
    v: 2,
    seq: record.seq,
    id: record.id,
    receivedAt: record.receivedAt,
    headers: record.headers,
    bytes: record.body.length,
    crc32: crc32(record.body),
  };
  const line = encoder.encode(`${JSON.stringify(header)}\n`);
  const bytes = new Uint8Array(line.length + record.body.length + 1);
  bytes.set(line);
  bytes.set(record.body, line.length);
  bytes[bytes.length - 1] = NEWLINE;
  return bytes;
}

/**
 * The records of a segment up to the first unreadable one (a torn, unacknowledged write).
 * Bodies are views into `bytes`.
 */
export function parseSegment(bytes: Uint8Array): WalRecord[] {
  const records: WalRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(NEWLINE, offset);
    // No newline after the last line: a write cut short, never a whole record.
    if (end < 0) break;
    let header: unknown;
    try {
      header = JSON.parse(decoder.decode(bytes.subarray(offset, end)));
    } catch {
      break;
    }
    if (isHeaderV2(header)) {
      const bodyEnd = end + 1 + header.bytes;
      if (bodyEnd >= bytes.length || bytes[bodyEnd] !== NEWLINE) break;
      const body = bytes.subarray(end + 1, bodyEnd);
      if (crc32(body) !== header.crc32) break;
      const { seq, id, receivedAt, headers } = header;
      records.push({ seq, id, receivedAt, headers, body });
      offset = bodyEnd + 1;
      continue;
    }
    if (!isRecordV1(header)) break;
    const { body, ...rest } = header;
    records.push({ ...rest, body: encoder.encode(body) });
    offset = end + 1;
  }
  return records;
}

function hasCommonFields(value: unknown): value is Omit<WalRecord, "body"> {
  const record = value as WalRecord;
  return typeof record === "object" && record !== null && Number.isSafeInteger(record.seq) &&
    typeof record.receivedAt === "string" && typeof record.headers === "object" &&
    record.headers !== null && (record.id === undefined || typeof record.id === "string");
}

function isHeaderV2(value: unknown): value is HeaderV2 {
  const header = value as HeaderV2;
  return hasCommonFields(value) && header.v === 2 && Number.isSafeInteger(header.bytes) &&
    header.bytes >= 0 && Number.isSafeInteger(header.crc32);
}

function isRecordV1(value: unknown): value is Omit<WalRecord, "body"> & { body: string } {
  return hasCommonFields(value) && !("v" in value) &&
    typeof (value as { body?: unknown }).body === "string";
}
