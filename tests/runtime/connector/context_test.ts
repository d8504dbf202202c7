import assert from "node:assert/strict";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import type { LogFields } from "../../../runtime/protocol.ts";
import { recordingLogger } from "../../_helpers.ts";

Deno.test("createConnectorContext() grants only the listed env vars", () => {
  const env: Record<string, string> = { TOKEN: "t0k", OTHER: "secret" };
  const ctx = createConnectorContext({
    connector: "demo",
    logger: recordingLogger([]),
    allowedEnv: ["TOKEN"],
    readEnv: (name) => env[name],
  });
  assert.equal(ctx.env("TOKEN"), "t0k");
  assert.throws(() => ctx.env("OTHER"), /demo read env var OTHER.*permissions\.env/);
});

Deno.test("createConnectorContext() tags log lines with the connector name", () => {
  const lines: [string, string, LogFields?][] = [];
  const ctx = createConnectorContext({ connector: "demo", logger: recordingLogger(lines) });
  ctx.log.warn("slow page", { page: 3 });
  assert.deepEqual(lines, [["warn", "slow page", { connector: "demo", page: 3 }]]);
});

Deno.test("createConnectorContext() hands out the runtime's Arrow module", () => {
  const ctx = createConnectorContext({ connector: "demo", logger: recordingLogger([]) });
  const table = ctx.arrow.tableFromArrays({ id: Int32Array.from([1, 2]) });
  assert.equal(table.numRows, 2);
});

Deno.test("connector log lines: controls escaped, reserved fields kept, granted secrets redacted", () => {
  const lines: [string, string, LogFields?][] = [];
  const env: Record<string, string> = { TOKEN: "tok-123456" };
  const ctx = createConnectorContext({
    connector: "demo",
    logger: recordingLogger(lines),
    readEnv: (name) => env[name],
    secretEnv: ["TOKEN"],
  });
  ctx.log.info("ok\nitems: ok (9 rows)\x1b[2J tok-123456", {
    connector: "files",
    event: "summary",
    time: "1970",
    nested: { token: "tok-123456" },
    count: 3,
  });
  assert.deepEqual(lines, [[
    "info",
    "ok\\nitems: ok (9 rows)\\u001b[2J ***",
    {
      "field.connector": "files",
      "field.event": "summary",
      "field.time": "1970",
      nested: '{"token":"***"}',
      count: 3,
      connector: "demo",
    },
  ]]);
});
