import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./_fold_engine_child.ts", import.meta.url));

Deno.test({
  name:
    "a fold engine opened before the process ran out of file descriptors fails a build, then works again",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const output = await new Deno.Command("bash", {
      args: ["-c", `ulimit -n 256 && exec "$0" run --no-prompt -A "$1"`, Deno.execPath(), CHILD],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.deepEqual(stdout.trim().split("\n"), ["exhausted", "failed", "built after"]);
  },
});
