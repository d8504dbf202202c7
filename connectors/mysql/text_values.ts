/**
 * Parses the text protocol's bytes for numbers, dates, times, timestamps and decimals straight
 * into Arrow's storage (ints, days, microseconds, 128-bit decimal words) without decoding strings
 * or building Date objects: exact and fast, since every value of every row goes through here.
 *
 * @module
 */

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + (bytes[i] - 48);
  return value;
}

/** `bytes[start..end)` as a string; the values parsed here are ASCII. */
export function ascii(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** A signed integer of at most 15 digits (every MySQL integer type but BIGINT). */
export function parseSmallInt(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === 45;
  const from = negative ? start + 1 : start;
  const value = digits(bytes, from, end - from);
  return negative ? -value : value;
}

/** A 64-bit integer, signed or not, exactly. */
export function parseBigInt(bytes: Uint8Array, start: number, end: number): bigint {
  return end - start <= 15
    ? BigInt(parseSmallInt(bytes, start, end))
    : BigInt(ascii(bytes, start, end));
}

/** True for MySQL's zero dates: `0000-00-00`, or any date with a zero month or day. */
export function isZeroDate(bytes: Uint8Array, start: number): boolean {
  return digits(bytes, start, 4) === 0 || digits(bytes, start + 5, 2) === 0 ||
    digits(bytes, start + 8, 2) === 0;
}

const TABLE_FIRST_YEAR = 1900;
const TABLE_YEARS = 400;
/** Days since the epoch of the first of each month of 1900-2299: most dates are table look-ups. */
const MONTH_STARTS = (() => {
  const starts = new Int32Array(TABLE_YEARS * 12);
  for (let i = 0; i < starts.length; i++) {
    starts[i] = daysFromCivil(TABLE_FIRST_YEAR + Math.floor(i / 12), (i % 12) + 1, 1);
  }
  return starts;
})();

/** {@linkcode daysFromCivil} through a table of month starts for 1900-2299 (the common years). */
export function epochDays(year: number, month: number, day: number): number {
  const index = (year - TABLE_FIRST_YEAR) * 12 + month - 1;
  return index >= 0 && index < MONTH_STARTS.length && month >= 1 && month <= 12
    ? MONTH_STARTS[index] + day - 1
    : daysFromCivil(year, month, day);
}

/** Days since the epoch of `YYYY-MM-DD`. */
export function parseDateDays(bytes: Uint8Array, start: number): number {
  return epochDays(
    digits(bytes, start, 4),
    digits(bytes, start + 5, 2),
    digits(bytes, start + 8, 2),
  );
}

/** Microseconds of a fractional-seconds suffix (`.5` -> 500000) at `dot`, up to `end`. */
function fractionMicros(bytes: Uint8Array, dot: number, end: number): number {
  if (dot >= end || bytes[dot] !== 46) return 0;
  let micros = 0;
  let scale = 100_000;
  for (let i = dot + 1; i < end && scale >= 1; i++, scale /= 10) {
    micros += (bytes[i] - 48) * scale;
  }
  return micros;
}

/**
 * Microseconds since the epoch of `YYYY-MM-DD HH:MM:SS[.ffffff]`, read as UTC, as a number:
 * exact up to year 2255 (2^53 microseconds); check Number.isSafeInteger and use
 * {@linkcode parseDateTimeMicrosExact} beyond.
 */
export function parseDateTimeMicros(bytes: Uint8Array, start: number, end: number): number {
  const days = parseDateDays(bytes, start);
  const seconds = digits(bytes, start + 11, 2) * 3600 + digits(bytes, start + 14, 2) * 60 +
    digits(bytes, start + 17, 2);
  return (days * 86_400 + seconds) * 1_000_000 + fractionMicros(bytes, start + 19, end);
}

/** {@linkcode parseDateTimeMicros} exactly, as a bigint, for any year. */
export function parseDateTimeMicrosExact(bytes: Uint8Array, start: number, end: number): bigint {
  const days = parseDateDays(bytes, start);
  const seconds = digits(bytes, start + 11, 2) * 3600 + digits(bytes, start + 14, 2) * 60 +
    digits(bytes, start + 17, 2);
  return BigInt(days * 86_400 + seconds) * 1_000_000n +
    BigInt(fractionMicros(bytes, start + 19, end));
}

/** Microseconds of a TIME value `[-]H+:MM:SS[.ffffff]`, which may be negative or above 24h. */
export function parseTimeMicros(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === 45;
  const from = negative ? start + 1 : start;
  let colon = from;
  while (bytes[colon] !== 58) colon++;
  const hours = digits(bytes, from, colon - from);
  const seconds = hours * 3600 + digits(bytes, colon + 1, 2) * 60 + digits(bytes, colon + 4, 2);
  const micros = seconds * 1_000_000 + fractionMicros(bytes, colon + 6, end);
  return negative ? -micros : micros;
}

const TWO_32 = 4294967296;
const POWERS_OF_TEN = Array.from({ length: 40 }, (_, i) => 10 ** i);

/**
 * Writes a decimal (`-123.45`, at most `scale` fraction digits) as its unscaled integer in four
 * little-endian two's-complement 32-bit words at `values[offset..offset+3]`. Up to 15 digits stay
 * in doubles (exact below 2^53); longer values go through bigint.
 */
export function writeDecimalWords(
  bytes: Uint8Array,
  start: number,
  end: number,
  scale: number,
  values: Uint32Array,
  offset: number,
): void {
  const negative = bytes[start] === 45;
  let magnitude = 0;
  let dot = -1;
  for (let i = negative ? start + 1 : start; i < end; i++) {
    const byte = bytes[i];
    if (byte === 46) dot = i;
    else magnitude = magnitude * 10 + (byte - 48);
  }
  const fraction = dot < 0 ? 0 : end - dot - 1;
  const count = end - start - (negative ? 1 : 0) - (dot < 0 ? 0 : 1);
  if (fraction > scale) {
    throw new RangeError(
      `decimal ${ascii(bytes, start, end)} has more than ${scale} fraction digits`,
    );
  }
  if (count + scale - fraction <= 15) {
    if (fraction !== scale) magnitude *= POWERS_OF_TEN[scale - fraction];
    const value = negative ? -magnitude : magnitude;
    const high = Math.floor(value / TWO_32);
    values[offset] = value - high * TWO_32;
    values[offset + 1] = high; // negative values wrap to their two's complement
    const fill = value < 0 ? 0xffffffff : 0;
    values[offset + 2] = fill;
    values[offset + 3] = fill;
    return;
  }
  const text = ascii(bytes, start, end).replace(".", "") + "0".repeat(scale - fraction);
  let big = BigInt.asUintN(128, BigInt(text));
  for (let i = 0; i < 4; i++) {
    values[offset + i] = Number(big & 0xffffffffn);
    big >>= 32n;
  }
}
