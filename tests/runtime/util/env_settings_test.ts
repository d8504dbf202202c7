import assert from "node:assert/strict";
import { UsageError } from "../../../runtime/errors.ts";
import { parseSettings } from "../../../runtime/util/env_settings.ts";

const from = (env: Record<string, string>) => (name: string) => env[name];

Deno.test("parseSettings() applies the documented defaults", () => {
  const settings = parseSettings(from({}));
  assert.equal(settings.sandboxTimeoutSeconds, 300);
  assert.equal(settings.sandboxMemoryMb, 2048);
  assert.equal(settings.sandboxMaxRows, 1_000_000_000);
  assert.equal(settings.nativeScan, true);
});

Deno.test("parseSettings() reads whole numbers and 0/1 flags", () => {
  const settings = parseSettings(
    from({ DVT_SANDBOX_MEMORY_MB: "512", DVT_SANDBOX_MAX_ROWS: " 1000 ", DVT_NATIVE_SCAN: "0" }),
  );
  assert.equal(settings.sandboxMemoryMb, 512);
  assert.equal(settings.sandboxMaxRows, 1000);
  assert.equal(settings.nativeScan, false);
});

Deno.test("parseSettings() rejects a bad value naming the variable and the form (exit 2)", () => {
  for (
    const [name, value] of [
      ["DVT_SANDBOX_MEMORY_MB", "2G"],
      ["DVT_SANDBOX_MEMORY_MB", "0"],
      ["DVT_SANDBOX_TIMEOUT_S", "1.5"],
      ["DVT_SANDBOX_MAX_ROWS", "99999999999999999999"],
      ["DVT_NATIVE_SCAN", "true"],
      ["DVT_THREADS", "0"],
      ["DVT_THREADS", "four"],
      ["DVT_LOG_LEVEL", "verbose"],
    ]
  ) {
    assert.throws(() => parseSettings(from({ [name]: value })), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, new RegExp(`^${name}="${value.replace(".", "\\.")}" is `));
      assert.match(error.hint ?? "", new RegExp(`set ${name} to`));
      return true;
    }, `${name}=${value}`);
  }
});

Deno.test("parseSettings() reads DVT_OUT_DIR, DVT_THREADS and DVT_LOG_LEVEL, unset when empty", () => {
  const set = parseSettings(from({ DVT_OUT_DIR: "x/y", DVT_THREADS: "8", DVT_LOG_LEVEL: "warn" }));
  assert.deepEqual([set.outDir, set.threads, set.logLevel], ["x/y", 8, "warn"]);
  const unset = parseSettings(from({ DVT_OUT_DIR: " ", DVT_THREADS: "", DVT_LOG_LEVEL: "" }));
  assert.deepEqual([unset.outDir, unset.threads, unset.logLevel], [
    undefined,
    undefined,
    undefined,
  ]);
});
