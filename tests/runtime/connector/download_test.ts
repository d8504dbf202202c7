/**
 * `ctx.download` against real HTTP servers on 127.0.0.1, both ways a context gets it: on the
 * connector's thread (createDownloader, the context's default and the sandbox's) and on a
 * DownloadThread (what instantiateConnector gives a connector run on the host). Each case runs
 * through createConnectorContext, so its retry log lines are the ones a connector writes.
 */
import assert from "node:assert/strict";
import { createConnectorContext } from "../../../runtime/connector/context.ts";
import { DownloadThread } from "../../../runtime/connector/download_thread.ts";
import type { Downloader, LogFields } from "../../../runtime/protocol.ts";
import { closedPort, rawServer, startFileServer, within } from "./_download_servers.ts";
import { recordingLogger } from "../../_helpers.ts";

type Line = [level: string, message: string, fields?: LogFields];

/** A context's download, its log lines and how to stop it. */
interface Downloads extends Disposable {
  download: Downloader;
  lines: Line[];
}

const WAYS: { name: string; open(): Downloads }[] = [
  {
    name: "on the connector's thread",
    open() {
      const lines: Line[] = [];
      const ctx = createConnectorContext({ connector: "demo", logger: recordingLogger(lines) });
      return { download: ctx.download, lines, [Symbol.dispose]() {} };
    },
  },
  {
    name: "on a DownloadThread",
    open() {
      const lines: Line[] = [];
      let thread: DownloadThread | undefined;
      const ctx = createConnectorContext({
        connector: "demo",
        logger: recordingLogger(lines),
        download: (onRetry) => thread = new DownloadThread({ onRetry }),
      });
      assert.ok(thread, "the context asked for its download service");
      return { download: ctx.download, lines, [Symbol.dispose]: () => thread!.close() };
    },
  },
];

/** 3 MiB that differ from byte to byte, so any shifted or dropped range shows. */
const PAYLOAD = (() => {
  const bytes = new Uint8Array(3 * 1024 * 1024);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
})();

const SECRET_QUERY = "?X-Amz-Signature=sig-0123456789abcdef&X-Amz-Credential=AKIAEXAMPLE";

/** Headers fetch adds on its own; every other header must be one the connector gave. */
const FETCH_OWN = new Set(["host", "accept", "accept-encoding", "accept-language", "user-agent"]);

/** Every message in an error's cause chain, outermost first. */
function messages(error: unknown): string[] {
  const found: string[] = [];
  for (let at = error; at instanceof Error; at = at.cause) found.push(at.message);
  return found;
}

function bytesServer(body: Uint8Array, extra: Record<string, string> = {}) {
  return new Response(body.slice(), {
    headers: { "content-length": String(body.length), ...extra },
  });
}

for (const way of WAYS) {
  Deno.test(`download ${way.name}: the body byte for byte, with status, headers and url; exactly the given headers sent`, async () => {
    await using server = startFileServer({
      "/results/0": () =>
        bytesServer(PAYLOAD, {
          "content-type": "application/vnd.apache.arrow.stream",
          "x-amz-request-id": "REQ123",
        }),
    });
    using downloads = way.open();
    const url = `${server.origin}/results/0${SECRET_QUERY}`;
    const got = await within(
      20_000,
      "the download",
      downloads.download(url, {
        headers: { "x-amz-server-side-encryption-customer-algorithm": "AES256" },
      }),
    );
    assert.equal(got.status, 200);
    assert.equal(got.ok, true);
    assert.equal(got.url, url);
    assert.equal(got.headers.get("x-amz-request-id"), "REQ123");
    assert.equal(got.headers.get("content-length"), String(PAYLOAD.length));
    assert.ok(got.body instanceof Uint8Array);
    assert.equal(got.body.length, PAYLOAD.length);
    assert.ok(got.body.every((byte, i) => byte === PAYLOAD[i]), "the body differs");

    assert.equal(server.seen.length, 1);
    const [request] = server.seen;
    assert.equal(request.search, SECRET_QUERY);
    assert.equal(request.headers.get("x-amz-server-side-encryption-customer-algorithm"), "AES256");
    const given = [...request.headers.keys()].filter((name) => !FETCH_OWN.has(name));
    assert.deepEqual(given, ["x-amz-server-side-encryption-customer-algorithm"]);
    assert.equal(request.headers.has("authorization"), false);
  });

  Deno.test(`download ${way.name}: a body that ends short of its Content-Length is rejected, saying so`, async () => {
    await using server = rawServer(
      `HTTP/1.1 200 OK\r\nContent-Length: ${PAYLOAD.length}\r\nConnection: close\r\n\r\n`,
      PAYLOAD.subarray(0, 100_000),
    );
    using downloads = way.open();
    const error = await within(
      20_000,
      "the download",
      downloads.download(server.url).then(() => undefined, (error: unknown) => error),
    );
    assert.ok(error instanceof Error, "a short body must not resolve");
    assert.match(error.message, new RegExp(`after \\d+ of its ${PAYLOAD.length} bytes`));
  });

  Deno.test(`download ${way.name}: bytes past the Content-Length are never part of the body`, async () => {
    // HTTP/1.1 ends a body at its length: the client leaves what follows unread (hyper drops
    // the connection). The download is the announced bytes, never more.
    const sent = PAYLOAD.subarray(0, 50_000);
    await using server = rawServer(
      `HTTP/1.1 200 OK\r\nContent-Length: 40000\r\nConnection: close\r\n\r\n`,
      sent,
    );
    using downloads = way.open();
    const got = await within(20_000, "the download", downloads.download(server.url));
    assert.deepEqual(got.body, sent.slice(0, 40_000));
  });

  Deno.test(`download ${way.name}: a 503 and a 429 (Retry-After: 0) are retried; the log names the origin only`, async () => {
    let calls503 = 0;
    let calls429 = 0;
    const body = PAYLOAD.subarray(0, 70_000);
    await using server = startFileServer({
      "/flaky": () => ++calls503 === 1 ? new Response("busy", { status: 503 }) : bytesServer(body),
      "/limited": () =>
        ++calls429 === 1
          ? new Response("slow down", { status: 429, headers: { "retry-after": "0" } })
          : bytesServer(body),
    });
    using downloads = way.open();
    const flaky = await within(
      20_000,
      "the 503 download",
      downloads.download(`${server.origin}/flaky${SECRET_QUERY}`),
    );
    const limited = await within(
      20_000,
      "the 429 download",
      downloads.download(`${server.origin}/limited${SECRET_QUERY}`),
    );
    assert.equal(calls503, 2);
    assert.equal(calls429, 2);
    assert.equal(flaky.status, 200);
    assert.deepEqual(flaky.body, body);
    assert.equal(limited.status, 200);
    assert.deepEqual(limited.body, body);
    assert.deepEqual(downloads.lines, [
      ["debug", "retrying request", {
        connector: "demo",
        url: server.origin,
        status: 503,
        delayMs: 250,
      }],
      ["debug", "retrying request", {
        connector: "demo",
        url: server.origin,
        status: 429,
        delayMs: 0,
      }],
    ]);
  });

  Deno.test(`download ${way.name}: a 404 and a 403 resolve, not OK, with the service's error body`, async () => {
    const denied =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><RequestId>9F6HMTTJ9GAFZGXV</RequestId></Error>';
    await using server = startFileServer({
      "/expired": () =>
        new Response(denied, { status: 403, headers: { "content-type": "application/xml" } }),
    });
    using downloads = way.open();
    const forbidden = await within(
      20_000,
      "the 403",
      downloads.download(`${server.origin}/expired${SECRET_QUERY}`),
    );
    assert.equal(forbidden.ok, false);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.headers.get("content-type"), "application/xml");
    assert.equal(new TextDecoder().decode(forbidden.body), denied);
    const missing = await within(20_000, "the 404", downloads.download(`${server.origin}/gone`));
    assert.equal(missing.ok, false);
    assert.equal(missing.status, 404);
    assert.equal(new TextDecoder().decode(missing.body), "no such route");
    // Neither is retried: one request each.
    assert.deepEqual(server.seen.map((request) => request.path), ["/expired", "/gone"]);
  });

  Deno.test(`download ${way.name}: a refused connection rejects with its message chain, the URL's query left out`, async () => {
    using downloads = way.open();
    const url = `http://127.0.0.1:${closedPort()}/results/7${SECRET_QUERY}`;
    const error = await within(
      20_000,
      "the refused download",
      downloads.download(url).then(() => undefined, (error: unknown) => error),
    );
    assert.ok(error instanceof Error, "a refused connection must reject");
    assert.equal(error.name, "TypeError");
    const chain = messages(error);
    assert.ok(chain.length >= 2, `a cause chain, got ${JSON.stringify(chain)}`);
    assert.match(chain.join("\n"), /Connection refused/);
    // A presigned URL's query is its credential: no message may carry it.
    assert.ok(!chain.join("\n").includes("X-Amz-Signature"), JSON.stringify(chain));
    assert.ok(!chain.join("\n").includes("sig-0123456789abcdef"), JSON.stringify(chain));
    // Retried like any GET before it gives up: three waits logged, each with the origin only.
    const retries = downloads.lines.filter(([, message]) => message === "retrying request");
    assert.equal(retries.length, 3);
    for (const [, , fields] of retries) assert.equal(fields!.url, new URL(url).origin);
  });

  Deno.test(`download ${way.name}: eight downloads in flight at once each get their own body`, async () => {
    const bodies = Array.from(
      { length: 8 },
      (_, i) => PAYLOAD.subarray(i * 1000, i * 1000 + 200_000 + i),
    );
    let arrived = 0;
    let allArrived!: () => void;
    const all = new Promise<void>((resolve) => allArrived = resolve);
    const routes: Record<string, () => Promise<Response>> = {};
    for (const [i, body] of bodies.entries()) {
      routes[`/part/${i}`] = async () => {
        if (++arrived === bodies.length) allArrived();
        // Answered only once all eight are waiting: downloads run one at a time fail here.
        const together = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 10_000);
          all.then(() => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        return together ? bytesServer(body) : new Response("not concurrent", { status: 409 });
      };
    }
    await using server = startFileServer(routes);
    using downloads = way.open();
    const got = await within(
      30_000,
      "eight downloads",
      Promise.all(bodies.map((_, i) => downloads.download(`${server.origin}/part/${i}`))),
    );
    for (const [i, download] of got.entries()) {
      assert.equal(download.status, 200, `part ${i}`);
      assert.deepEqual(download.body, bodies[i], `part ${i}`);
      assert.equal(download.url, `${server.origin}/part/${i}`);
    }
  });
}
