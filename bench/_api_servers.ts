/**
 * The wire-format servers of bench/api_connectors.ts, in a process of their own: serving 60 MB
 * of Arrow chunks on the benchmark's JavaScript thread would be charged to the connector it
 * measures, and a real service does not share dvt's process either.
 *
 * Usage: deno run -A bench/_api_servers.ts <keboola|databricks> --rows N --dir DIR --token T
 * Builds the table, warms the export / statement the connector will request (so the timed runs
 * measure dvt, not the fake), writes what it serves (gzipped CSV slices / Arrow IPC chunks) to
 * DIR for the baseline, prints one JSON line `{ url, files, bytes }` and serves until its stdin
 * closes.
 *
 * @module
 */
import { join } from "node:path";
import { startKeboolaServer } from "../tests/servers/keboola_server.ts";
import { startDatabricksServer } from "../tests/servers/databricks_server.ts";

function flag(name: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  if (index < 0 || !Deno.args[index + 1]) throw new Error(`--${name} is required`);
  return Deno.args[index + 1];
}

function day(i: number): string {
  return `2026-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`;
}

function stamp(i: number): string {
  return new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().slice(0, 19);
}

/** The Keboola table's columns, in export order (the bench's baseline types them the same). */
export const KEBOOLA_COLUMNS = [
  { name: "id", basetype: "INTEGER", type: "BIGINT" },
  { name: "amount", basetype: "NUMERIC", type: "NUMBER", length: "12,2" },
  { name: "name", basetype: "STRING", type: "VARCHAR" },
  { name: "flag", basetype: "BOOLEAN", type: "BOOLEAN" },
  { name: "day", basetype: "DATE", type: "DATE" },
  { name: "at", basetype: "TIMESTAMP", type: "TIMESTAMP_NTZ" },
];

async function saveAll(dir: string, parts: Uint8Array[], name: (i: number) => string) {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [i, part] of parts.entries()) {
    files.push(join(dir, name(i)));
    await Deno.writeFile(files[i], part);
  }
  return { files, bytes: parts.reduce((sum, part) => sum + part.length, 0) };
}

async function keboola(rows: number, dir: string, token: string) {
  const server = startKeboolaServer({
    token,
    tables: [{
      bucket: "in.c-bench",
      name: "events",
      isTyped: true,
      columns: KEBOOLA_COLUMNS,
      rows: Array.from({ length: rows }, (_, i) => ({
        id: String(i),
        amount: `${i % 100000}.${String(i % 100).padStart(2, "0")}`,
        name: `customer ${i % 5000}, "vip"`,
        flag: i % 2 ? "true" : "false",
        day: day(i),
        at: stamp(i).replace("T", " "),
        _timestamp: "2026-01-01T00:00:00Z",
      })),
    }],
    sliceRows: 100_000,
    pollsBeforeSuccess: 1,
    cacheExports: true,
  });
  // The export the connector will request (all columns, in order).
  const warm = await fetch(`${server.url}/v2/storage/tables/in.c-bench.events/export-async`, {
    method: "POST",
    headers: { "X-StorageApi-Token": token, "Content-Type": "application/json" },
    body: JSON.stringify({
      columns: KEBOOLA_COLUMNS.map((c) => c.name),
      gzip: true,
      format: "rfc",
    }),
  });
  await warm.body?.cancel();
  const saved = await saveAll(
    dir,
    server.lastSlices,
    (i) => `part_${String(i).padStart(4, "0")}.csv.gz`,
  );
  return { server, ...saved };
}

async function databricks(rows: number, dir: string, token: string) {
  const columns = [
    { name: "id", type: "long" },
    { name: "amount", type: "decimal(12,2)" },
    { name: "name", type: "string" },
    { name: "flag", type: "boolean" },
    { name: "day", type: "date" },
    { name: "at", type: "timestamp" },
  ];
  // Chunk -> the file it was saved to: external links stream those files, as object storage
  // serves stored objects, instead of copying each chunk out of this process's memory.
  const savedAs = new Map<Uint8Array, string>();
  const server = startDatabricksServer({
    linkBody: async (bytes) => {
      const path = savedAs.get(bytes);
      return path ? (await Deno.open(path)).readable : bytes;
    },
    token,
    warehouseId: "bench",
    chunkRows: 100_000,
    pollsBeforeDone: 1,
    // A warehouse answers a statement it finishes within the POST's wait_timeout from the POST.
    doneWithinWait: true,
    cacheResults: true,
    tables: [{
      catalog: "main",
      schema: "bench",
      name: "events",
      columns,
      rows: Array.from({ length: rows }, (_, i) => [
        String(i),
        `${i % 100000}.${String(i % 100).padStart(2, "0")}`,
        `customer ${i % 5000}, "vip"`,
        i % 2 ? "true" : "false",
        day(i),
        `${stamp(i)}.000Z`,
      ]),
    }],
  });
  // The statement the connector will send: its Arrow chunks are built now, not while timed.
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const submitted = await (await fetch(`${server.url}/api/2.0/sql/statements`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      statement: `SELECT ${
        columns.map((c) => `\`${c.name}\``).join(", ")
      } FROM \`main\`.\`bench\`.\`events\``,
      warehouse_id: "bench",
      parameters: [],
      disposition: "EXTERNAL_LINKS",
      format: "ARROW_STREAM",
    }),
  })).json();
  for (let i = 0; i < 3; i++) {
    const url = `${server.url}/api/2.0/sql/statements/${submitted.statement_id}`;
    await (await fetch(url, { headers })).body?.cancel();
  }
  const saved = await saveAll(
    dir,
    server.lastArrowChunks,
    (i) => `chunk_${String(i).padStart(4, "0")}.arrows`,
  );
  server.lastArrowChunks.forEach((chunk, i) => savedAs.set(chunk, saved.files[i]));
  return { server, ...saved };
}

const kind = Deno.args[0];
const start = kind === "keboola" ? keboola : kind === "databricks" ? databricks : undefined;
if (!start) throw new Error("first argument: keboola or databricks");
const { server, files, bytes } = await start(Number(flag("rows")), flag("dir"), flag("token"));
console.log(JSON.stringify({ url: server.url, files, bytes }));
// Serve until the benchmark closes our stdin.
for await (const _ of Deno.stdin.readable) { /* nothing to read: wait for the end */ }
await server[Symbol.asyncDispose]();
