import assert from "node:assert/strict";
import { tempDir } from "../../_helpers.ts";
import { ExtractError } from "../../../runtime/errors.ts";
import { acquireRunLock } from "../../../runtime/extract/run_lock.ts";

Deno.test("acquireRunLock() refuses a second concurrent run and frees on release", async () => {
  await using dir = await tempDir();
  const first = await acquireRunLock(`${dir.path}/.dvt`);
  await assert.rejects(() => acquireRunLock(`${dir.path}/.dvt`), (error: unknown) => {
    assert.ok(error instanceof ExtractError);
    assert.match(error.message, new RegExp(`another dvt extract \\(pid ${Deno.pid}`));
    return true;
  });
  await first.release();
  await using _second = await acquireRunLock(`${dir.path}/.dvt`);
});

Deno.test("acquireRunLock() takes over the lock of a process that no longer exists", async () => {
  await using dir = await tempDir();
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
  await child.status;
  await Deno.mkdir(`${dir.path}/.dvt`);
  await Deno.writeTextFile(
    `${dir.path}/.dvt/lock`,
    JSON.stringify({ pid: child.pid, hostname: Deno.hostname(), startedAt: "then" }),
  );
  await using _lock = await acquireRunLock(`${dir.path}/.dvt`);
  const held = JSON.parse(await Deno.readTextFile(`${dir.path}/.dvt/lock`));
  assert.equal(held.pid, Deno.pid);
});

Deno.test("acquireRunLock() waits for a brief holder (a dvt serve fold) instead of failing", async () => {
  await using dir = await tempDir();
  const fold = await acquireRunLock(`${dir.path}/.dvt`, { holder: "dvt serve", brief: true });
  setTimeout(() => fold.release(), 300);
  const started = Date.now();
  await using _extract = await acquireRunLock(`${dir.path}/.dvt`);
  assert.ok(Date.now() - started >= 250, "it waited for the fold to finish");
  const held = JSON.parse(await Deno.readTextFile(`${dir.path}/.dvt/lock`));
  assert.equal(held.holder, "dvt extract");
});
