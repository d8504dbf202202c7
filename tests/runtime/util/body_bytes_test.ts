import assert from "node:assert/strict";
import { bodyBytes } from "../../../runtime/util/body_bytes.ts";
import { rawServer } from "../../_helpers.ts";

const payload = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256);

Deno.test("bodyBytes reads a body of the announced length whole, byte for byte", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(payload, { headers: { "content-length": String(payload.length) } }),
  );
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(response.headers.get("content-length"), String(payload.length));
  assert.deepEqual(await bodyBytes(response), payload);
});

Deno.test("bodyBytes reads into the allocator's view, at its offset, inside a larger buffer", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(payload, { headers: { "content-length": String(payload.length) } }),
  );
  const lengths: number[] = [];
  const allocate = (length: number) => {
    lengths.push(length);
    return new Uint8Array(new ArrayBuffer(length + 5000), 1234, length);
  };
  const bytes = await bodyBytes(await fetch(`http://127.0.0.1:${server.addr.port}/`), allocate);
  assert.deepEqual(lengths, [payload.length]);
  assert.equal(bytes.byteOffset, 1234);
  assert.equal(bytes.length, payload.length);
  assert.deepEqual(bytes, payload);
});

Deno.test("bodyBytes reads bodies without a usable length (chunked, gzip) through arrayBuffer", async () => {
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (new URL(request.url).pathname === "/gzip") {
      const gzipped = new Blob([payload]).stream().pipeThrough(new CompressionStream("gzip"));
      return new Response(gzipped, { headers: { "content-encoding": "gzip" } });
    }
    return new Response(new Blob([payload]).stream()); // chunked: no Content-Length
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  assert.deepEqual(await bodyBytes(await fetch(`${base}/chunked`)), payload);
  assert.deepEqual(await bodyBytes(await fetch(`${base}/gzip`)), payload);
});

Deno.test("bodyBytes fails on a body that ends before its Content-Length", async () => {
  await using server = rawServer(
    `HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`,
    payload.subarray(0, 1000),
  );
  const response = await fetch(server.url);
  await assert.rejects(bodyBytes(response));
});

Deno.test("bodyBytes says how much of a body came before its connection broke off", async () => {
  await using server = rawServer(
    `HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`,
    payload.subarray(0, 1000),
  );
  const response = await fetch(server.url);
  await assert.rejects(
    bodyBytes(response),
    new RegExp(`^Error: the body (broke off|ended) after \\d+ of its ${payload.length} bytes$`),
  );
});

Deno.test("bodyBytes fails on a body that runs past its Content-Length", async () => {
  // Over HTTP/1.1 fetch itself stops at the length (download_test.ts); a body from any other
  // source, here a stream behind a Response, is held to its announced length too.
  const response = new Response(new Blob([payload]).stream(), {
    headers: { "content-length": String(payload.length - 10) },
  });
  await assert.rejects(bodyBytes(response), /the body runs past its 299990 bytes/);
});
