import assert from "node:assert/strict";
import { createRetryingFetch, parseRetryAfter } from "../../../runtime/util/retrying_fetch.ts";
import { closedPort, serveLocal } from "../../_helpers.ts";

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  assert.deepEqual(parseRetryAfter("3"), 3000);
  assert.deepEqual(parseRetryAfter(null), undefined);
  assert.deepEqual(parseRetryAfter("soon"), undefined);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.deepEqual(parseRetryAfter("Thu, 01 Jan 2026 00:00:02 GMT", now), 2000);
});

Deno.test("createRetryingFetch() honours 429 Retry-After and retries 5xx on GET", async () => {
  const seen: string[] = [];
  let calls = 0;
  await using server = serveLocal((request) => {
    calls++;
    seen.push(request.method);
    if (calls === 1) {
      return new Response("slow down", { status: 429, headers: { "retry-after": "0" } });
    }
    if (calls === 2) return new Response("oops", { status: 502 });
    return new Response("ok");
  });
  const retrying = createRetryingFetch({ baseDelayMs: 1 });
  const response = await retrying(`${server.url}/x`);
  assert.deepEqual(await response.text(), "ok");
  assert.deepEqual(calls, 3);
});

Deno.test("createRetryingFetch() does not retry a POST that failed with 500", async () => {
  let calls = 0;
  await using server = serveLocal(() => {
    calls++;
    return new Response("no", { status: 500 });
  });
  const retrying = createRetryingFetch({ baseDelayMs: 1 });
  const response = await retrying(server.url, { method: "POST", body: "x" });
  await response.body?.cancel();
  assert.deepEqual(response.status, 500);
  assert.deepEqual(calls, 1);
});

Deno.test("createRetryingFetch() gives up after the configured attempts", async () => {
  let calls = 0;
  await using server = serveLocal(() => {
    calls++;
    return new Response("down", { status: 503 });
  });
  const response = await createRetryingFetch({ attempts: 3, baseDelayMs: 1 })(server.url);
  await response.body?.cancel();
  assert.deepEqual(response.status, 503);
  assert.deepEqual(calls, 3);
});

Deno.test("createRetryingFetch() names the URL it could not reach without its query (a credential)", async () => {
  const url = `http://127.0.0.1:${closedPort()}/bucket/part-0001.csv.gz?X-Amz-Signature=s3cr3t`;
  for (const init of [undefined, { method: "POST", body: "x" }]) {
    const error = await createRetryingFetch({ attempts: 2, baseDelayMs: 1 })(url, init).then(
      () => assert.fail("a closed port answered"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof Error);
    assert.equal(error.name, "TypeError");
    const chain: string[] = [];
    for (let at: unknown = error; at instanceof Error; at = at.cause) chain.push(at.message);
    assert.match(
      chain.join("\n"),
      /127\.0\.0\.1:\d+\/bucket\/part-0001\.csv\.gz\?…/,
      chain.join("\n"),
    );
    assert.ok(!chain.join("\n").includes("s3cr3t"), chain.join("\n"));
  }
});

Deno.test("createRetryingFetch() leaves an abort's error as it is", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  await using server = serveLocal(async () => {
    await released; // answers only once the client has given up
    return new Response("late");
  });
  try {
    const error = await createRetryingFetch()(`${server.url}/slow?key=k`, {
      signal: AbortSignal.timeout(50),
    }).then(() => assert.fail("answered"), (error: unknown) => error);
    assert.ok(error instanceof DOMException, String(error));
    assert.equal(error.name, "TimeoutError");
  } finally {
    release();
  }
});
