/** The SQL Statement Execution API's result walk (statement.ts) against a stub workspace. */
import assert from "node:assert/strict";
import {
  type ExternalLink,
  resultParts,
  storageErrorDetail,
} from "../../../connectors/databricks/statement.ts";
import type { WorkspaceApi } from "../../../connectors/databricks/workspace_api.ts";

function chunk(index: number, last: number) {
  return {
    chunk_index: index,
    external_links: [{
      chunk_index: index,
      external_link: `https://storage.example/${index}`,
      ...(index < last ? { next_chunk_internal_link: `/chunks/${index + 1}` } : {}),
    }],
  };
}

Deno.test("resultParts asks for the next chunk's links while the current chunk is still downloading", async () => {
  const log: string[] = [];
  const api = {
    json: (_method: string, path: string) => {
      log.push(`request ${path}`);
      return Promise.resolve(chunk(Number(path.split("/").at(-1)), 3));
    },
  } as unknown as WorkspaceApi;
  const download = async (link: ExternalLink) => {
    log.push(`download ${link.chunk_index}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return new Uint8Array([link.chunk_index]);
  };
  const received: number[] = [];
  for await (const part of resultParts(api, chunk(0, 3), download)) {
    if ("ipc" in part) received.push(part.ipc[0]);
    log.push(`consumed ${received.at(-1)}`);
  }
  assert.deepEqual(received, [0, 1, 2, 3]);
  // Chunk 2's links were asked for before chunk 0 was handed over, not after chunk 1's turn.
  assert.ok(
    log.indexOf("request /chunks/2") < log.indexOf("consumed 0"),
    log.join("\n"),
  );
});

Deno.test("resultParts fails the read at its turn when the next chunk's request fails", async () => {
  const api = {
    json: (_method: string, path: string) =>
      path === "/chunks/2"
        ? Promise.reject(new Error("HTTP 500 on chunk 2"))
        : Promise.resolve(chunk(Number(path.split("/").at(-1)), 3)),
  } as unknown as WorkspaceApi;
  const received: number[] = [];
  await assert.rejects(async () => {
    for await (
      const part of resultParts(
        api,
        chunk(0, 3),
        (l) => Promise.resolve(new Uint8Array([l.chunk_index])),
      )
    ) {
      if ("ipc" in part) received.push(part.ipc[0]);
    }
  }, /HTTP 500 on chunk 2/);
  assert.deepEqual(received, [0]);
});

Deno.test("storageErrorDetail puts the storage's XML error on one line: Code: Message", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  // S3 (REST error response) and Azure Blob Storage, as they answer an expired presigned GET.
  assert.equal(
    storageErrorDetail(encode(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>900</X-Amz-Expires><RequestId>9F6H</RequestId></Error>`,
    )),
    "AccessDenied: Request has expired",
  );
  assert.equal(
    storageErrorDetail(encode(
      `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:0c1f\nTime:2026-11-29T10:00:00Z</Message><AuthenticationErrorDetail>Signed expiry time has passed</AuthenticationErrorDetail></Error>`,
    )),
    "AuthenticationFailed: Server failed to authenticate the request. RequestId:0c1f Time:2026-11-29T10:00:00Z",
  );
  assert.equal(storageErrorDetail(encode("<Error><Code>NoSuchKey</Code></Error>")), "NoSuchKey");
  assert.equal(storageErrorDetail(encode("  upstream\n  timed out  ")), "upstream timed out");
  assert.equal(storageErrorDetail(encode("x".repeat(500))), "x".repeat(300));
});
