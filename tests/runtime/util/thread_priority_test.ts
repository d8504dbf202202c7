import assert from "node:assert/strict";
import { threadNiceness } from "../../../runtime/util/thread_priority.ts";

const WORKER = `
import { lowerThreadPriority } from ${
  JSON.stringify(new URL("../../../runtime/util/thread_priority.ts", import.meta.url).href)
};
const applied = lowerThreadPriority(7);
const tid = Number(Deno.readLinkSync("/proc/thread-self").split("/").pop());
self.postMessage({ applied, tid });
`;

Deno.test({
  name: "lowerThreadPriority() lowers the calling thread only, not the rest of the process",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const mainBefore = threadNiceness(Deno.pid);
    const url = URL.createObjectURL(new Blob([WORKER], { type: "application/javascript" }));
    const worker = new Worker(url, { type: "module" });
    try {
      const reply = await new Promise<{ applied: boolean; tid: number }>((resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(event.message));
      });
      assert.equal(reply.applied, true);
      assert.notEqual(reply.tid, Deno.pid);
      assert.equal(threadNiceness(reply.tid), 7);
      assert.equal(threadNiceness(Deno.pid), mainBefore);
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  },
});
