import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./_listener_child.ts", import.meta.url));
const DESCRIPTOR_LIMIT = 200;
const LISTENER_LOST = /listener lost: .*Too many open files/;

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the child ended before printing its URL: ${text}`);
    text += value;
  }
  reader.releaseLock();
  return text.slice(0, text.indexOf("\n"));
}

Deno.test("dvt serve keeps answering after a connection flood used up its file descriptors", async () => {
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n ${DESCRIPTOR_LIMIT} && exec "$0" run --no-prompt -A "$1"`,
      Deno.execPath(),
      CHILD,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const stderrDrained = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) stderr += text;
  })();
  try {
    const url = new URL(await firstLine(child.stdout));
    // Hold more connections than the child has descriptors: its accept fails with EMFILE.
    const held: Deno.Conn[] = [];
    for (let i = 0; i < DESCRIPTOR_LIMIT + 50; i++) {
      try {
        held.push(await Deno.connect({ hostname: url.hostname, port: Number(url.port) }));
      } catch {
        break; // the listener is gone (or the backlog full): the flood did its work
      }
    }
    // Hold them until the child has hit the limit (on a loaded machine its accepts lag behind).
    for (let waited = 0; waited < 15_000 && !LISTENER_LOST.test(stderr); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const conn of held) conn.close();
    // Once the flood is over the server must answer again.
    let answer: Response | undefined;
    for (let attempt = 0; attempt < 40 && !answer; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await fetch(new URL("/health", url), { signal: AbortSignal.timeout(2000) })
        .catch(() => undefined);
    }
    assert.ok(answer, "dvt serve stopped answering after the flood");
    assert.equal(answer.status, 200);
    assert.equal((await answer.json()).status, "ok");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* it already ended (the old dvt serve died of the flood) */ }
    await child.status;
  }
  await stderrDrained;
  // The flood really did end the listener (else this test proves nothing).
  assert.match(stderr, LISTENER_LOST);
});
