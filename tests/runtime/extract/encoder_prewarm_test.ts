import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { queryDuckDB, tempDir } from "../../_helpers.ts";
import { ConnectorRuntime } from "../../../runtime/extract/runtime.ts";
import { ParquetEncoderThread } from "../../../runtime/parquet/parquet_encoder_thread.ts";
import { batchOf, memoryConnector, schemaOf } from "../../fixtures/runtime/connectors.ts";

const schema = schemaOf({ id: new arrow.Int32(), name: new arrow.Utf8() });

function twoBatchTable() {
  return memoryConnector([{
    info: { name: "items", schema },
    *batches() {
      for (const from of [0, 100]) {
        const ids = Array.from({ length: 100 }, (_, i) => from + i);
        yield batchOf({
          id: { type: new arrow.Int32(), values: ids },
          name: { type: new arrow.Utf8(), values: ids.map((i) => `item ${i}`) },
        });
      }
    },
  }]);
}

async function withEncoderWorker<T>(run: () => Promise<T>): Promise<T> {
  const before = Deno.env.get("DVT_PARQUET_WORKER");
  Deno.env.set("DVT_PARQUET_WORKER", "1");
  try {
    return await run();
  } finally {
    if (before === undefined) Deno.env.delete("DVT_PARQUET_WORKER");
    else Deno.env.set("DVT_PARQUET_WORKER", before);
  }
}

Deno.test("runtime: with encoding on a worker, read() connectors find the encoder worker booting during discovery; the table takes it", async () => {
  await using dir = await tempDir();
  const { connector } = twoBatchTable();
  const discover = connector.discover!;
  let warmDuringDiscovery: boolean | undefined;
  connector.discover = () => {
    warmDuringDiscovery = ParquetEncoderThread.prewarmed;
    return discover();
  };
  const result = await withEncoderWorker(() => new ConnectorRuntime(dir.path).run(connector));
  assert.equal(warmDuringDiscovery, true);
  assert.equal(ParquetEncoderThread.prewarmed, false); // taken by the table, none left behind
  assert.equal(result.totalRows, 200);
  const [row] = await queryDuckDB(
    `${dir.path}/extract.duckdb`,
    `SELECT count(*)::INT AS n, max(name) AS m FROM items`,
  );
  assert.deepEqual(row, { n: 200, m: "item 99" });
});

Deno.test("runtime: connectors with a native scan (scanSql) start no encoder worker; in-process encoding starts none", async () => {
  await using dir = await tempDir();
  const { connector } = twoBatchTable();
  // DuckDB writes this table's Parquet itself: no batch is ever encoded here.
  connector.scanSql = () => "SELECT range::INT AS id, 'item ' || range AS name FROM range(200)";
  const discover = connector.discover!;
  const seen: boolean[] = [];
  connector.discover = () => {
    seen.push(ParquetEncoderThread.prewarmed);
    return discover();
  };
  await withEncoderWorker(() => new ConnectorRuntime(dir.path).run(connector));
  const plain = twoBatchTable().connector;
  const plainDiscover = plain.discover!;
  plain.discover = () => {
    seen.push(ParquetEncoderThread.prewarmed);
    return plainDiscover();
  };
  const before = Deno.env.get("DVT_PARQUET_WORKER");
  Deno.env.set("DVT_PARQUET_WORKER", "0");
  try {
    await new ConnectorRuntime(`${dir.path}/in-process`).run(plain);
  } finally {
    if (before === undefined) Deno.env.delete("DVT_PARQUET_WORKER");
    else Deno.env.set("DVT_PARQUET_WORKER", before);
  }
  assert.deepEqual(seen, [false, false]);
});
