/**
 * instantiateConnector gives a connector run on the host a download thread and stops it when
 * the connector closes: through a proxy that still calls the connector's own close() once and
 * keeps class-private fields working. The sandboxed path (a local connector) downloads on its
 * own thread, within its net grants.
 */
import assert from "node:assert/strict";
import { instantiateConnector, resolveConnector } from "../../../runtime/connector/loader.ts";
import type { LoadedConnector } from "../../../runtime/connector/loader.ts";
import { Cap, type ConnectorContext, type Logger } from "../../../runtime/protocol.ts";
import { tempDir } from "../../_helpers.ts";
import { runScript, silentServer, startFileServer, until, within } from "./_download_servers.ts";

const QUIET: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const BODY = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 13 + 5) % 256);

function bodyResponse(): Response {
  return new Response(BODY.slice(), { headers: { "content-length": String(BODY.length) } });
}

/** A manifest for a connector with discover and read, loaded as dvt loads one. */
async function demoManifest(dir: string, net: string[] = []) {
  await Deno.writeTextFile(
    `${dir}/connector.yaml`,
    `name: demo
version: 1.0.0
entrypoint: ./connector.js
capabilities: [discover, read]
permissions: { net: ${JSON.stringify(net)} }
`,
  );
  await Deno.writeTextFile(`${dir}/connector.js`, "export default () => ({});\n");
  return (await resolveConnector(dir)).manifest;
}

/** A connector class with private state: its methods must run on the instance itself. */
class FileConnector {
  readonly capabilities = Cap.DISCOVER | Cap.READ;
  readonly #ctx: ConnectorContext;
  readonly #url: string;
  #closes = 0;

  constructor(ctx: ConnectorContext, url: string) {
    this.#ctx = ctx;
    this.#url = url;
  }

  get closes(): number {
    return this.#closes;
  }

  discover() {
    const schema = this.#ctx.arrow.tableFromArrays({ size: Int32Array.from([0]) }).schema;
    return [{ name: "file", schema, capabilities: Cap.READ }];
  }

  async *read() {
    this.#ctx.expectDownloads();
    const got = await this.#ctx.download(this.#url);
    let sum = 0;
    for (const byte of got.body) sum = (sum + byte) % 1_000_003;
    yield this.#ctx.arrow.tableFromArrays({
      size: Int32Array.from([got.body.length]),
      sum: Int32Array.from([sum]),
      status: Int32Array.from([got.status]),
    }).batches[0];
  }

  close() {
    this.#closes++;
  }
}

async function builtinLike(
  dir: string,
  make: (ctx: ConnectorContext) => unknown,
): Promise<LoadedConnector> {
  const manifest = await demoManifest(dir);
  return {
    manifest,
    origin: "builtin",
    location: "builtin:demo",
    factory: (ctx) => make(ctx) as never,
  };
}

Deno.test("instantiateConnector: a host-run connector downloads through its thread; close() closes once", async () => {
  await using dir = await tempDir();
  await using server = startFileServer({ "/file": bodyResponse });
  let instance: FileConnector | undefined;
  const loaded = await builtinLike(
    dir.path,
    (ctx) => instance = new FileConnector(ctx, `${server.origin}/file`),
  );
  const connector = await instantiateConnector(loaded, {}, { logger: QUIET });
  assert.notEqual(connector, instance, "wrapped, so close() can stop the thread");
  const batches = [];
  for await (const batch of connector.read!("file", { batchSize: 10 })) batches.push(batch);
  const expectedSum = BODY.reduce((sum, byte) => (sum + byte) % 1_000_003, 0);
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0].toArray().map((row) => row.toJSON()), [
    { size: BODY.length, sum: expectedSum, status: 200 },
  ]);
  assert.equal((await connector.discover!())[0].name, "file");
  assert.equal(connector.capabilities, Cap.DISCOVER | Cap.READ);
  await connector.close!();
  assert.equal(instance!.closes, 1);
});

Deno.test("instantiateConnector: close() of a frozen connector object stops a download still running, also when its own close() fails", async () => {
  await using dir = await tempDir();
  await using silent = silentServer();
  for (const closeFails of [false, true]) {
    const loaded = await builtinLike(dir.path, (ctx) =>
      Object.freeze({
        capabilities: Cap.DISCOVER | Cap.READ,
        discover: () => [],
        read: async function* () {
          yield (await ctx.download(silent.url)) as never;
        },
        close() {
          if (closeFails) throw new Error("the connector's own close failed");
        },
      }));
    const connector = await instantiateConnector(loaded, {}, { logger: QUIET });
    const reading = (async () => {
      for await (const _ of connector.read!("t", { batchSize: 1 })) { /* never reached */ }
    })().then(() => undefined, (error: unknown) => error);
    await until(() => silent.accepted === (closeFails ? 2 : 1), "the download to connect");
    const closed = Promise.resolve(connector.close!()).then(() => undefined, (error) => error);
    const error = await within(5_000, "the stopped read", reading);
    assert.ok(error instanceof Error);
    assert.equal(error.message, "the download was stopped: the connector was closed");
    const closeError = await closed;
    if (closeFails) assert.match(String(closeError), /the connector's own close failed/);
    else assert.equal(closeError, undefined);
  }
});

Deno.test("instantiateConnector: no download thread outlives close(), a factory that failed, nor a connector that fails verification", async () => {
  await using dir = await tempDir();
  await using server = startFileServer({ "/file": bodyResponse });
  await demoManifest(dir.path);
  const script = (outcome: "works" | "factory fails" | "unverified") => `
    import { instantiateConnector, resolveConnector } from ${
    JSON.stringify(new URL("../../../runtime/connector/loader.ts", import.meta.url).href)
  };
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const loaded = {
      ...(await resolveConnector(${JSON.stringify(dir.path)})),
      origin: "builtin",
      factory: (ctx) => {
        ctx.expectDownloads();
        if (${JSON.stringify(outcome)} === "factory fails") throw new Error("no such account");
        if (${
    JSON.stringify(outcome)
  } === "unverified") return { capabilities: 3, discover: () => [] };
        return {
          capabilities: 3,
          discover: () => [],
          async *read() {
            console.log((await ctx.download(${
    JSON.stringify(`${server.origin}/file`)
  })).body.length);
          },
          close: () => console.log("closed"),
        };
      },
    };
    try {
      const connector = await instantiateConnector(loaded, {}, { logger: quiet });
      for await (const _ of connector.read("t", { batchSize: 1 })) { /* logs the size */ }
      await connector.close();
    } catch (error) {
      console.log(error.message);
    }
  `;
  const used = await runScript(script("works"));
  assert.deepEqual(used, {
    code: 0,
    signal: null,
    stdout: `${BODY.length}\nclosed`,
    stderr: "",
  });
  const failed = await runScript(script("factory fails"));
  assert.deepEqual(failed, {
    code: 0,
    signal: null,
    stdout: "connector demo failed to start: no such account",
    stderr: "",
  });
  // The factory started the thread (expectDownloads), then its connector lacks read().
  const unverified = await runScript(script("unverified"));
  assert.equal(unverified.code, 0, unverified.stderr);
  assert.equal(unverified.signal, null, "the process had to be killed: a worker outlived it");
  assert.match(unverified.stdout, /declares read but has no read\(\) method/);
});

Deno.test("instantiateConnector: a sandboxed connector downloads on its own thread, within its net grants", async () => {
  await using dir = await tempDir();
  await using server = startFileServer({ "/file": bodyResponse });
  await using other = startFileServer({ "/file": bodyResponse });
  const host = new URL(server.origin).host;
  await demoManifest(dir.path, [host]);
  await Deno.writeTextFile(
    `${dir.path}/connector.js`,
    `export default (ctx) => ({
  capabilities: 3,
  discover: () => [],
  async *read(table) {
    ctx.expectDownloads();
    const got = await ctx.download(table === "granted" ? "${server.origin}/file" : "${other.origin}/file");
    yield ctx.arrow.tableFromArrays({ size: Int32Array.from([got.body.length]), first: Int32Array.from([got.body[0]]), last: Int32Array.from([got.body.at(-1)]) }).batches[0];
  },
});
`,
  );
  const connector = await instantiateConnector(await resolveConnector(dir.path), {}, {
    logger: QUIET,
  });
  try {
    const rows = [];
    for await (const batch of connector.read!("granted", { batchSize: 10 })) {
      rows.push(...batch.toArray().map((row) => row.toJSON()));
    }
    assert.deepEqual(rows, [{ size: BODY.length, first: BODY[0], last: BODY.at(-1) }]);
    await assert.rejects(
      async () => {
        for await (const _ of connector.read!("denied", { batchSize: 10 })) { /* none */ }
      },
      new RegExp(`${new URL(other.origin).host.replaceAll(".", "\\.")}.*permissions\\.net`),
    );
  } finally {
    await connector.close!();
  }
});
