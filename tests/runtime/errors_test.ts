import assert from "node:assert/strict";
import {
  causeMessages,
  ConfigError,
  describeError,
  errorFromMessages,
  ExtractError,
  formatLocation,
  UsageError,
} from "../../runtime/errors.ts";

Deno.test("formatLocation() writes file:line:column: field: with only known parts", () => {
  assert.equal(formatLocation(), "");
  assert.equal(formatLocation({ file: "dvt.yaml" }), "dvt.yaml: ");
  assert.equal(
    formatLocation({ file: "dvt.yaml", line: 3, column: 5, field: "sources.shop" }),
    "dvt.yaml:3:5: sources.shop: ",
  );
  assert.equal(formatLocation({ field: "--set paths" }), "--set paths: ");
});

Deno.test("DvtError subclasses carry the exit code of their kind", () => {
  assert.equal(new UsageError("x").exitCode, 2);
  assert.equal(new ConfigError("x").exitCode, 2);
  assert.equal(new ExtractError("x").exitCode, 1);
  assert.equal(new ConfigError("x").name, "ConfigError");
});

Deno.test("describeError() prints the message, hint and cause chain", () => {
  const error = new ConfigError("unknown source shop2", {
    location: { file: "dvt.yaml", line: 2, column: 3 },
    hint: "did you mean shop?",
    cause: new Error("lookup failed"),
  });
  assert.deepEqual(describeError(error), [
    "error: dvt.yaml:2:3: unknown source shop2",
    "  hint: did you mean shop?",
    "  caused by: lookup failed",
  ]);
  assert.ok(describeError(error, true).some((line) => line.includes("errors_test.ts")));
});

Deno.test("causeMessages() and errorFromMessages() carry an error chain across a thread", () => {
  const original = new TypeError("fetch failed", {
    cause: new Error("connection refused", { cause: "ECONNREFUSED" }),
  });
  const sent = causeMessages(original);
  assert.deepEqual(sent, ["fetch failed", "connection refused", "ECONNREFUSED"]);
  const rebuilt = errorFromMessages(structuredClone(sent), {
    name: original.name,
    stack: "TypeError: fetch failed\n    at worker",
    fallback: "the worker failed",
  });
  assert.equal(rebuilt.name, "TypeError");
  assert.equal(rebuilt.stack, "TypeError: fetch failed\n    at worker");
  assert.deepEqual(causeMessages(rebuilt), sent);
  assert.equal(
    errorFromMessages([], { fallback: "the worker failed" }).message,
    "the worker failed",
  );
  // A chain that loops back on itself is cut where it repeats instead of growing forever.
  const looped = new Error("outer");
  looped.cause = new Error("inner", { cause: looped });
  assert.deepEqual(causeMessages(looped), ["outer", "inner"]);
});
