/**
 * What only the DownloadThread does: retry notices with the origin alone, failures rebuilt
 * with the worker's name and message chain, and close() — pending downloads stopped, the next
 * download on a fresh worker. The cases shared with the in-thread downloader are in
 * download_test.ts.
 */
import assert from "node:assert/strict";
import { createDownloader } from "../../../runtime/connector/download.ts";
import { DownloadThread, type RetryNotice } from "../../../runtime/connector/download_thread.ts";
import { createRetryingFetch } from "../../../runtime/util/retrying_fetch.ts";
import {
  closedPort,
  rawServer,
  runScript,
  silentServer,
  startFileServer,
  until,
  within,
} from "./_download_servers.ts";

const BODY = Uint8Array.from({ length: 500_000 }, (_, i) => (i * 31 + 7) % 251);

function bodyResponse(): Response {
  return new Response(BODY.slice(), { headers: { "content-length": String(BODY.length) } });
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (error: unknown) => error);
}

function chain(error: unknown): { name: string; messages: string[] } {
  const messages: string[] = [];
  for (let at = error; at instanceof Error; at = at.cause) messages.push(at.message);
  return { name: error instanceof Error ? error.name : typeof error, messages };
}

Deno.test("DownloadThread tells onRetry the origin of a retried download, never its path or query", async () => {
  let calls = 0;
  await using server = startFileServer({
    "/bucket/results/0": () =>
      ++calls === 1 ? new Response("unavailable", { status: 503 }) : bodyResponse(),
  });
  const notices: RetryNotice[] = [];
  using thread = new DownloadThread({ onRetry: (notice) => notices.push(notice) });
  const got = await within(
    20_000,
    "the download",
    thread.download(`${server.origin}/bucket/results/0?X-Amz-Signature=secret-sig`),
  );
  assert.deepEqual(got.body, BODY);
  assert.equal(calls, 2);
  assert.deepEqual(notices, [{ origin: server.origin, status: 503, delayMs: 250 }]);
});

Deno.test("DownloadThread rejects with the same name and message chain as the in-thread downloader", async () => {
  await using short = rawServer(
    `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n`,
    BODY.subarray(0, 1000),
  );
  const refused = `http://127.0.0.1:${closedPort()}/x?X-Amz-Signature=secret-sig`;
  using thread = new DownloadThread();
  const here = createDownloader(createRetryingFetch());
  for (const url of [short.url, refused]) {
    const onThread = await within(20_000, url, rejection(thread.download(url)));
    const inThread = await within(20_000, url, rejection(here(url)));
    assert.ok(onThread instanceof Error, `${url} must reject on the thread`);
    // Byte counts may differ between two reads of a cut body; the words may not.
    const normal = (at: unknown) => {
      const { name, messages } = chain(at);
      return { name, messages: messages.map((m) => m.replace(/after \d+ of/, "after N of")) };
    };
    assert.deepEqual(normal(onThread), normal(inThread));
    assert.ok(chain(onThread).messages.length >= 2, JSON.stringify(chain(onThread)));
  }
});

Deno.test("DownloadThread.close() stops a pending download; the next download starts a fresh worker", async () => {
  await using silent = silentServer();
  await using server = startFileServer({ "/after": bodyResponse });
  const thread = new DownloadThread();
  try {
    const pending = rejection(thread.download(silent.url));
    await until(() => silent.accepted === 1, "the download to connect");
    thread.close();
    const error = await within(5_000, "the stopped download", pending);
    assert.ok(error instanceof Error);
    assert.equal(error.message, "the download was stopped: the connector was closed");

    const after = await within(
      20_000,
      "a download after close()",
      thread.download(`${server.origin}/after`),
    );
    assert.equal(after.status, 200);
    assert.deepEqual(after.body, BODY);
    // close() is idempotent, and a closed thread holds no worker (the process could exit).
    thread.close();
    thread.close();
  } finally {
    thread.close();
  }
});

Deno.test("DownloadThread.close() before any download and start() ahead of one both work", async () => {
  await using server = startFileServer({ "/first": bodyResponse });
  const idle = new DownloadThread();
  idle.close();
  using thread = new DownloadThread();
  thread.start();
  thread.start();
  const got = await within(
    20_000,
    "the download",
    thread.download(new URL(`${server.origin}/first`)),
  );
  assert.deepEqual(got.body, BODY);
  assert.equal(server.seen.length, 1);
});

Deno.test("a script whose DownloadThread is closed exits by itself; one left open would not", async () => {
  await using server = startFileServer({ "/file": bodyResponse });
  const script = (close: boolean) => `
    import { DownloadThread } from ${
    JSON.stringify(new URL("../../../runtime/connector/download_thread.ts", import.meta.url).href)
  };
    const thread = new DownloadThread();
    const got = await thread.download(${JSON.stringify(`${server.origin}/file`)});
    console.log(got.body.length);
    ${close ? "thread.close();" : ""}
  `;
  const closed = await runScript(script(true));
  assert.deepEqual(closed, { code: 0, signal: null, stdout: String(BODY.length), stderr: "" });
  const open = await runScript(script(false));
  assert.equal(open.signal, "SIGKILL", "an open worker keeps the process alive");
  assert.equal(open.stdout, String(BODY.length));
});
