import assert from "node:assert/strict";
import * as dvt from "../mod.ts";

Deno.test("mod.ts exports only what a connector author needs", () => {
  // Values only: types are erased. Adding a name here widens the public API on purpose.
  assert.deepEqual(Object.keys(dvt).sort(), [
    "BoolBuffer",
    "BuilderBuffer",
    "BytesBuffer",
    "Cap",
    "ConnectorError",
    "FixedBuffer",
    "InputError",
    "ValueParseError",
    "batchFromValues",
    "contractReportToJUnit",
    "dataFromWire",
    "dataToWire",
    "formatContractReport",
    "hasCap",
    "parseDecimal",
    "parseTimestampMicros",
    "quoteIdentifier",
    "quoteLiteral",
    "runContractTests",
  ]);
});

Deno.test("the errors a connector throws choose the exit code of their kind", () => {
  assert.equal(new dvt.InputError("row 3 of a.csv has 4 fields").exitCode, 2);
  assert.equal(new dvt.ConnectorError("the API answered 500").exitCode, 1);
});
