/**
 * Parses the values node:sqlite returns into Arrow storage: SQLite's date and datetime text into
 * days and microseconds (fast paths for SQLite's own canonical forms, a regular expression for the
 * rest), and numbers or numeric text into the unscaled integers of 128-bit decimals, exactly or not
 * at all.
 *
 * @module
 */
import type { BytesBuffer } from "../../mod.ts";
import type { SqliteValue } from "./affinity.ts";

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]00:?00)?$/;

/** Two or four ASCII digits at `at`, or NaN. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Fast path for the canonical `YYYY-MM-DD` prefix: days, or NaN when not canonical. */
function canonicalDays(text: string): number {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return NaN;
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return NaN;
  return daysFromCivil(digitsAt(text, 0, 4), month, day);
}

/** Days since the epoch of `YYYY-MM-DD`, or undefined when the text is not such a date. */
export function parseDate(text: string): number | undefined {
  if (text.length === 10) {
    const days = canonicalDays(text);
    if (!Number.isNaN(days)) return days;
  }
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return daysFromCivil(year, month, day);
}

/** Microseconds since the epoch of SQLite's datetime text (UTC or zone-less), or undefined. */
export function parseDateTime(text: string): number | bigint | undefined {
  // Fast path: `YYYY-MM-DD HH:MM:SS[.fff…]` (SQLite's own form), no zone.
  const length = text.length;
  if (length >= 19 && length <= 26 && text.charCodeAt(10) === 32) {
    const days = canonicalDays(text);
    const seconds = digitsAt(text, 11, 2) * 3600 + digitsAt(text, 14, 2) * 60 +
      digitsAt(text, 17, 2);
    let micros = 0;
    let ok = text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58;
    if (length > 19) {
      ok &&= text.charCodeAt(19) === 46 && length > 20;
      const fraction = digitsAt(text, 20, length - 20);
      micros = fraction * 10 ** (26 - length);
    }
    const total = (days * 86_400 + seconds) * 1_000_000 + micros;
    if (ok && Number.isSafeInteger(total)) return total;
  }
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const seconds = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  const micros = Number((m[7] ?? "").padEnd(6, "0").slice(0, 6));
  return BigInt(daysFromCivil(year, month, day) * 86_400 + seconds) * 1_000_000n + BigInt(micros);
}

const NUMBER_TEXT = /^[+-]?\d+(\.\d+)?$/;

/** Rewrites `1.5e-7` / `1e+28` without an exponent: `0.00000015` / `10000000000000000000000000000`. */
export function plainDecimal(text: string): string {
  const [mantissa, exponent] = text.split(/e/i);
  if (exponent === undefined) return text;
  const negative = mantissa.startsWith("-");
  const unsigned = mantissa.replace(/^[+-]/, "");
  const dot = unsigned.indexOf(".");
  const digits = unsigned.replace(".", "");
  const point = (dot < 0 ? unsigned.length : dot) + Number(exponent);
  const plain = point <= 0
    ? `0.${"0".repeat(-point)}${digits}`
    : point >= digits.length
    ? digits + "0".repeat(point - digits.length)
    : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}

/** The unscaled integer of a decimal value at `scale`, or undefined when it does not fit. */
export function unscaled(value: SqliteValue, scale: number): bigint | undefined {
  let text: string;
  if (typeof value === "bigint") return value * 10n ** BigInt(scale);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    // A REAL is already binary; its shortest decimal rendering is what SQLite shows for it.
    // A REAL's shortest decimal rendering is the value SQLite shows and the user stored.
    text = plainDecimal(String(value));
  } else if (typeof value === "string" && NUMBER_TEXT.test(value.trim())) text = value.trim();
  else return undefined;
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = text.replace(/^[+-]/, "").split(".");
  const trimmed = fraction.replace(/0+$/, "");
  if (trimmed.length > scale) return undefined;
  const digits = BigInt(whole + trimmed.padEnd(scale, "0"));
  return negative ? -digits : digits;
}

const TWO_32 = 4294967296;

/** A safe integer as four little-endian two's-complement words. */
export function smallWords(value: number, values: Uint32Array, offset: number) {
  const high = Math.floor(value / TWO_32);
  values[offset] = value - high * TWO_32;
  values[offset + 1] = high; // negative values wrap to their two's complement
  const fill = value < 0 ? 0xffffffff : 0;
  values[offset + 2] = fill;
  values[offset + 3] = fill;
}

export function words(value: bigint, values: Uint32Array, offset: number) {
  let big = BigInt.asUintN(128, value);
  for (let i = 0; i < 4; i++) {
    values[offset + i] = Number(big & 0xffffffffn);
    big >>= 32n;
  }
}

/** Strings up to this length are tried as ASCII first. */
const SHORT_TEXT = 64;
const asciiScratch = new Uint8Array(SHORT_TEXT);

/**
 * Appends text as UTF-8. Short ASCII text (most values) is copied by a loop: calling the encoder
 * costs more than the copy for a value of a few bytes.
 */
export function appendText(buffer: BytesBuffer, text: string): void {
  const length = text.length;
  if (length > SHORT_TEXT) return buffer.appendString(text);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return buffer.appendString(text);
    asciiScratch[i] = code;
  }
  buffer.appendBytes(asciiScratch, 0, length);
}
