import assert from "node:assert/strict";
import { ConnectorError, IntegrityError, SandboxError } from "../../../runtime/errors.ts";
import type { Connector, LogFields, Logger, ReadOptions } from "../../../runtime/protocol.ts";
import { connectorLogger } from "../../../runtime/connector/context.ts";
import { computeIntegrity, loadModuleSource } from "../../../runtime/sandbox/module_source.ts";
import type { SandboxLimits } from "../../../runtime/sandbox/sandbox_host.ts";
import { startSandboxedConnector } from "../../../runtime/sandbox/sandboxed_connector.ts";
import { serveLocal } from "../../_helpers.ts";

const logs: [string, string, LogFields?][] = [];
const recorder: Logger = {
  debug: (message, fields) => void logs.push(["debug", message, fields]),
  info: (message, fields) => void logs.push(["info", message, fields]),
  warn: (message, fields) => void logs.push(["warn", message, fields]),
  error: (message, fields) => void logs.push(["error", message, fields]),
};
// As the loader does: the sandbox's log lines go through the connector's logger.
const logger = connectorLogger(recorder, "probe");

/** A connector with one table, `items`; `body` is spliced into its read(). */
function connectorSource(readBody = "", extra = ""): string {
  return `
    import type { ConnectorFactory } from "../../mod.ts";
    const factory: ConnectorFactory = (ctx, config) => {
      const { arrow } = ctx;
      const schema = new arrow.Schema([
        new arrow.Field("id", new arrow.Int32(), false),
        new arrow.Field("name", new arrow.Utf8(), true),
      ]);
      const batch = (ids: number[]) =>
        arrow.tableFromArrays({
          id: Int32Array.from(ids),
          name: ids.map((id) => id % 2 ? null : "n" + id),
        }).batches[0];
      return {
        capabilities: 3,
        discover: () => [{ name: "items", schema, capabilities: 2, primaryKey: ["id"] }],
        async *read(table: string, options) {
          ctx.log.info("reading", { table, prefix: String(config.prefix) });
          ${readBody}
          yield batch([1, 2, 3]);
          yield batch([4]);
        },
        ${extra}
      };
    };
    export default factory;
  `;
}

async function withConnector(
  code: string,
  test: (connector: Connector) => Promise<void>,
  options: { net?: string[]; env?: string[]; limits?: Partial<SandboxLimits> } = {},
): Promise<void> {
  const connector = await startSandboxedConnector({
    name: "probe",
    code,
    moduleUrl: "file:///connectors/probe/connector.ts",
    config: { prefix: "p" },
    permissions: { net: options.net ?? [], env: options.env ?? [] },
    logger,
    limits: options.limits,
  });
  try {
    await test(connector);
  } finally {
    await connector.close?.();
  }
}

async function readAll(connector: Connector, options: Partial<ReadOptions> = {}) {
  const rows: unknown[] = [];
  for await (const batch of connector.read!("items", { batchSize: 10, ...options })) {
    for (const row of batch) rows.push(row.toJSON());
  }
  return rows;
}

Deno.test("a sandboxed connector discovers and reads Arrow data like an in-process one", async () => {
  await withConnector(connectorSource(), async (connector) => {
    assert.equal(connector.capabilities, 3);
    const [table] = await connector.discover!();
    assert.equal(table.name, "items");
    assert.deepEqual(table.primaryKey, ["id"]);
    assert.deepEqual(table.schema.fields.map((field) => [field.name, String(field.type)]), [
      ["id", "Int32"],
      ["name", "Utf8"],
    ]);
    assert.deepEqual(await readAll(connector), [
      { id: 1, name: null },
      { id: 2, name: "n2" },
      { id: 3, name: null },
      { id: 4, name: "n4" },
    ]);
    assert.ok(
      logs.some(([, message, fields]) =>
        message === "reading" && fields?.connector === "probe" && fields?.prefix === "p"
      ),
    );
  });
});

Deno.test("a sandboxed connector reads only the env vars its manifest grants", async () => {
  Deno.env.set("DVT_TEST_GRANTED", "yes");
  Deno.env.set("DVT_TEST_SECRET", "no");
  try {
    const code = connectorSource(`
      if (ctx.env("DVT_TEST_GRANTED") !== "yes") throw new Error("granted var unreadable");
      ctx.env("DVT_TEST_SECRET");
    `);
    await withConnector(code, async (connector) => {
      await assert.rejects(
        readAll(connector),
        /read env var DVT_TEST_SECRET, which its manifest does not grant/,
      );
    }, { env: ["DVT_TEST_GRANTED"] });
  } finally {
    Deno.env.delete("DVT_TEST_GRANTED");
    Deno.env.delete("DVT_TEST_SECRET");
  }
});

Deno.test("a sandboxed connector reaches granted hosts only and never the file system", async () => {
  await using granted = serveLocal(() => new Response("fine"));
  await using other = serveLocal(() => new Response("leak"));
  const code = connectorSource(`
    const answer = await (await ctx.fetch(${JSON.stringify(granted.url)})).text();
    if (answer !== "fine") throw new Error("granted host not reachable");
    if (options.filter?.probe?.["="] === "net") await ctx.fetch(${JSON.stringify(other.url)});
    if (options.filter?.probe?.["="] === "read") await Deno.readTextFile("/etc/hostname");
    if (options.filter?.probe?.["="] === "run") new Deno.Command("true").outputSync();
  `);
  await withConnector(code, async (connector) => {
    assert.equal((await readAll(connector)).length, 4);
    for (const probe of ["net", "read", "run"]) {
      await assert.rejects(
        readAll(connector, { filter: { probe: { "=": probe } } }),
        (error: unknown) => {
          assert.ok(error instanceof SandboxError);
          assert.match(
            error.message,
            /connector probe tried to (reach 127\.0\.0\.1:\d+|read the file \/etc\/hostname|run the program true)/,
          );
          assert.doesNotMatch(error.message, /--allow-/);
          return true;
        },
        probe,
      );
    }
  }, { net: [`127.0.0.1:${granted.port}`] });
});

Deno.test("a throwing read fails that read only; the connector keeps serving", async () => {
  const code = connectorSource(`if (options.filter) throw new Error("upstream said 401");`);
  await withConnector(code, async (connector) => {
    await assert.rejects(readAll(connector, { filter: { id: { ">": 1 } } }), (error: unknown) => {
      assert.ok(error instanceof SandboxError);
      assert.match(error.message, /connector probe read: Error: upstream said 401/);
      assert.deepEqual([error.connector, error.call], ["probe", "read"]);
      return true;
    });
    assert.equal((await readAll(connector)).length, 4);
  });
});

Deno.test("an error's hint crosses the sandbox, cleaned like its text", async () => {
  const code = connectorSource(
    `throw Object.assign(new Error("quota reached"), { hint: "raise the quota\\nok (999 rows)" });`,
  );
  await withConnector(code, async (connector) => {
    await assert.rejects(readAll(connector), (error: unknown) => {
      assert.ok(error instanceof SandboxError);
      assert.match(error.message, /quota reached/);
      assert.equal(error.hint, "raise the quota\\nok (999 rows)");
      return true;
    });
  });
});

Deno.test("a hanging connector is stopped after the call deadline", async () => {
  const code = connectorSource(`await new Promise(() => {});`);
  await withConnector(code, async (connector) => {
    await assert.rejects(readAll(connector), (error: unknown) => {
      assert.ok(error instanceof SandboxError);
      assert.match(
        error.message,
        /did not answer read within 0 s \(DVT_SANDBOX_TIMEOUT_S\); it was stopped/,
      );
      assert.deepEqual([error.connector, error.call], ["probe", "read"]);
      return true;
    });
    await assert.rejects(async () => await connector.discover!(), /it was stopped/);
  }, { limits: { callTimeoutMs: 300 } });
});

Deno.test("a connector cannot post protocol messages of its own", async () => {
  const code = connectorSource(
    `const proto = Object.getPrototypeOf(globalThis);
    if (options.filter?.probe?.["="] === "proto") proto.postMessage.call(globalThis, { kind: "end", id: 2 });
    (globalThis as any).postMessage({ kind: "batch", id: 99, ipc: "x" });
    await new Promise(() => {});`,
  );
  await withConnector(code, async (connector) => {
    await assert.rejects(
      readAll(connector),
      /postMessage is not available to a sandboxed connector/,
    );
    // The prototype's postMessage is gone too (removed, so `.call` finds nothing).
    await assert.rejects(
      readAll(connector, { filter: { probe: { "=": "proto" } } }),
      /reading 'call'/,
    );
  });
});

Deno.test("a connector whose module fails to load reports why", async () => {
  await assert.rejects(
    startSandboxedConnector({
      name: "broken",
      code: "export default 42;",
      moduleUrl: "file:///x/connector.js",
      config: {},
      permissions: { net: [], env: [] },
      logger,
    }),
    /connector broken failed: Error: .*has no default export factory/,
  );
});

Deno.test("stopping a read early cancels it and keeps the connector usable", async () => {
  await withConnector(connectorSource(), async (connector) => {
    for await (const batch of connector.read!("items", { batchSize: 10 })) {
      assert.equal(batch.numRows, 3);
      break;
    }
    assert.equal((await readAll(connector)).length, 4);
  });
});

Deno.test("loadModuleSource() verifies a remote entrypoint's integrity", async () => {
  const code = connectorSource();
  let served = code;
  await using server = serveLocal(() => new Response(served));
  const url = new URL(`${server.url}/connector.ts`);
  const integrity = await computeIntegrity(new TextEncoder().encode(code));
  assert.match(integrity, /^sha256-[A-Za-z0-9+/]{43}=$/);
  assert.equal(await loadModuleSource(url, integrity), code);
  served = code + "\n// tampered";
  await assert.rejects(loadModuleSource(url, integrity), (error: unknown) => {
    assert.ok(error instanceof IntegrityError);
    assert.match(error.message, /integrity mismatch .*pins sha256-.*, the file is sha256-/);
    return true;
  });
  await assert.rejects(loadModuleSource(url), /has no integrity in its manifest/);
  await assert.rejects(
    loadModuleSource(new URL(`${server.url}/connector.ts`), "md5-abc"),
    /unsupported integrity/,
  );
});

Deno.test("loadModuleSource() names a missing local entrypoint", async () => {
  await assert.rejects(
    loadModuleSource(new URL("file:///nonexistent/dvt/connector.ts")),
    (error: unknown) => error instanceof ConnectorError && /cannot read/.test(error.message),
  );
});
