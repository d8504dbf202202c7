/**
 * A {@linkcode Connector} whose methods run in a {@linkcode SandboxHost} worker. It looks like
 * any other connector to the runtime: schemas and batches come back as Arrow objects of the
 * runtime's own Arrow module, and only the methods the worker's connector has are present.
 *
 * @module
 */
import type * as Arrow from "apache-arrow";
import { errorMessage, SandboxError } from "../errors.ts";
import type {
  Connector,
  EventRows,
  ReadOptions,
  RemoteAttachInfo,
  TableInfo,
} from "../protocol.ts";
import { decodeBatch, schemaFromIpc, type WireBatch } from "./arrow_ipc.ts";
import { isOwnedBytes, type WireTableInfo } from "./messages.ts";
import { SandboxHost, type SandboxSpec } from "./sandbox_host.ts";

function toTableInfo(name: string, wire: WireTableInfo): TableInfo {
  if (typeof wire?.name !== "string" || !isOwnedBytes(wire.schemaIpc)) {
    throw new SandboxError(`connector ${name} discover() returned a malformed table`, {
      connector: name,
      call: "discover",
    });
  }
  const { schemaIpc, ...rest } = wire;
  return { ...rest, schema: schemaFromIpc(schemaIpc) };
}

function toRemoteInfo(name: string, value: unknown): RemoteAttachInfo {
  const info = value as RemoteAttachInfo;
  const strings = ["extension", "url", "tokenEnv"].every((key) =>
    typeof (info as unknown as Record<string, unknown>)?.[key] === "string"
  );
  if (!strings) {
    throw new SandboxError(`connector ${name} remote() must return { extension, url, tokenEnv }`, {
      connector: name,
      call: "remote",
    });
  }
  return info;
}

/** Decodes what the worker's receive() answered; anything malformed stops the connector. */
function toEventRows(host: SandboxHost, value: unknown): EventRows[] {
  const items = Array.isArray(value) ? value : undefined;
  if (!items) throw host.stop("answered receive() with something other than a list");
  return items.map((item) => {
    if (typeof item?.table !== "string") {
      throw host.stop("answered receive() with an item without a table name");
    }
    try {
      return {
        table: item.table,
        batch: decodeBatch(item.flat ? { flat: item.flat } : { ipc: item.ipc }),
      };
    } catch (cause) {
      throw host.stop(`sent a malformed batch from receive(): ${errorMessage(cause)}`, {
        call: "receive",
      });
    }
  });
}

/** Decodes each batch and stops the read once it passes the row limit (DVT_SANDBOX_MAX_ROWS). */
async function* batches(
  host: SandboxHost,
  what: string,
  wires: AsyncGenerator<WireBatch>,
): AsyncGenerator<Arrow.RecordBatch> {
  let rows = 0;
  let schema: Arrow.Schema | undefined;
  for await (const wire of wires) {
    let batch: Arrow.RecordBatch;
    try {
      batch = decodeBatch(wire, schema);
      schema = batch.schema;
    } catch (cause) {
      throw host.stop(`sent a malformed batch from ${what}: ${errorMessage(cause)}`, {
        call: what,
      });
    }
    rows += batch.numRows;
    if (rows > host.limits.maxRows) {
      throw host.stop(
        `yielded more than ${
          host.limits.maxRows.toLocaleString("en-US")
        } rows from ${what}, the limit DVT_SANDBOX_MAX_ROWS sets`,
        {
          call: what,
          hint:
            "raise DVT_SANDBOX_MAX_ROWS if the table really has more rows; otherwise the connector does not stop",
        },
      );
    }
    yield batch;
  }
}

/**
 * Starts `spec` in a sandbox worker and returns it as a connector. Call `close()` when done:
 * it ends the worker.
 */
export async function startSandboxedConnector(spec: SandboxSpec): Promise<Connector> {
  const { host, ready } = await SandboxHost.start(spec);
  const has = new Set(ready.methods);
  const connector: Connector = {
    capabilities: ready.capabilities,
    async close() {
      try {
        if (has.has("close")) await host.call("close");
      } finally {
        host.terminate();
      }
    },
  };
  if (has.has("discover")) {
    connector.discover = async () => {
      const tables = await host.call("discover");
      if (!Array.isArray(tables)) {
        throw new SandboxError(`connector ${spec.name} discover() did not return a list`, {
          connector: spec.name,
          call: "discover",
        });
      }
      return tables.map((table) => toTableInfo(spec.name, table));
    };
  }
  if (has.has("read")) {
    connector.read = (table: string, options: ReadOptions) =>
      batches(host, `read(${table})`, host.open("read", table, options));
  }
  if (has.has("stream")) {
    connector.stream = (table: string) =>
      batches(host, `stream(${table})`, host.open("stream", table));
  }
  if (has.has("receive")) {
    connector.receive = async (event) => toEventRows(host, await host.receive(event));
  }
  if (has.has("remote")) {
    connector.remote = async () => toRemoteInfo(spec.name, await host.call("remote"));
  }
  if (has.has("check")) {
    connector.check = async () => void await host.call("check");
  }
  return connector;
}
