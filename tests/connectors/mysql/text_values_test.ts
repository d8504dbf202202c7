/** The text-protocol parsers of the mysql connector, on the exact forms MySQL sends. */
import assert from "node:assert/strict";
import {
  isZeroDate,
  parseBigInt,
  parseDateDays,
  parseDateTimeMicros,
  parseDateTimeMicrosExact,
  parseTimeMicros,
  writeDecimalWords,
} from "../../../connectors/mysql/text_values.ts";

const bytes = (text: string) => new TextEncoder().encode(`xx${text}yy`);
const at = (text: string): [Uint8Array, number, number] => [bytes(text), 2, 2 + text.length];

function decimal(text: string, scale: number): bigint {
  const words = new Uint32Array(4);
  writeDecimalWords(...at(text), scale, words, 0);
  let value = 0n;
  for (let i = 3; i >= 0; i--) value = (value << 32n) | BigInt(words[i]);
  return BigInt.asIntN(128, value);
}

Deno.test("writeDecimalWords() keeps every digit, small and 38-digit, negative and padded", () => {
  assert.equal(decimal("-1.50", 2), -150n);
  assert.equal(decimal("0.00", 2), 0n);
  assert.equal(decimal("1.5", 3), 1500n);
  assert.equal(decimal("123456789012345", 0), 123456789012345n);
  assert.equal(
    decimal("-9999999999999999999999999999.9999999999", 10),
    -99999999999999999999999999999999999999n,
  );
  assert.throws(() => decimal("1.234", 2), /more than 2 fraction digits/);
});

Deno.test("date and datetime parsers are exact before 1970 and far in the future", () => {
  assert.equal(parseDateDays(bytes("1970-01-01"), 2), 0);
  assert.equal(parseDateDays(bytes("1969-12-31"), 2), -1);
  assert.equal(parseDateDays(bytes("0001-01-01"), 2), -719162);
  assert.equal(parseDateTimeMicros(...at("1970-01-01 00:00:01.5")), 1_500_000);
  assert.equal(parseDateTimeMicros(...at("1969-12-31 23:59:59.999999")), -1);
  assert.equal(
    parseDateTimeMicrosExact(...at("9999-12-31 23:59:59.999999")),
    253402300799999999n,
  );
  assert.ok(!Number.isSafeInteger(parseDateTimeMicros(...at("9999-12-31 23:59:59.999999"))));
  assert.ok(isZeroDate(bytes("0000-00-00 00:00:00"), 2));
  assert.ok(isZeroDate(bytes("2020-00-15"), 2));
  assert.ok(!isZeroDate(bytes("2020-01-15"), 2));
});

Deno.test("parseTimeMicros() reads negative and multi-day TIME values", () => {
  assert.equal(parseTimeMicros(...at("23:59:59.999")), 86_399_999_000);
  assert.equal(parseTimeMicros(...at("-838:59:59")), -3_020_399_000_000);
});

Deno.test("parseBigInt() is exact at both ends of signed and unsigned 64-bit", () => {
  assert.equal(parseBigInt(...at("-9223372036854775808")), -(2n ** 63n));
  assert.equal(parseBigInt(...at("18446744073709551615")), 2n ** 64n - 1n);
  assert.equal(parseBigInt(...at("42")), 42n);
});
