import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { InputError } from "../../../runtime/errors.ts";
import { placeLibFiles } from "../../../runtime/sync/lib_dir.ts";
import { tempDir } from "../../_helpers.ts";

async function cached(dir: string, name: string, text: string) {
  const sourcePath = join(dir, `src-${name}`);
  await Deno.writeTextFile(sourcePath, text);
  const sha256 = createHash("sha256").update(text).digest("hex");
  return { fileName: name, sourcePath, sha256, size: text.length };
}

const names = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

Deno.test("placeLibFiles() places, skips unchanged, and removes only what dvt placed", async () => {
  await using dir = await tempDir();
  const lib = join(dir.path, "lib");
  const a = await cached(dir.path, "a.jar", "A");
  const b = await cached(dir.path, "b.jar", "B");
  assert.deepEqual((await placeLibFiles(lib, [a, b])).placed, ["a.jar", "b.jar"]);
  await Deno.writeTextFile(join(lib, "user.jar"), "mine");
  await Deno.writeTextFile(join(lib, ".b.jar.tmp-0a1b2c3d"), "half of B");
  assert.deepEqual(await placeLibFiles(lib, [a, b]), { placed: [], removed: [] });
  assert.deepEqual(await placeLibFiles(lib, [a]), { placed: [], removed: ["b.jar"] });
  assert.deepEqual(await names(lib), [".dvt-manifest.json", "a.jar", "user.jar"]);
  assert.equal(await Deno.readTextFile(join(lib, "a.jar")), "A");
});

Deno.test("placeLibFiles() never overwrites a different file a user put there", async () => {
  await using dir = await tempDir();
  const lib = join(dir.path, "lib");
  await Deno.mkdir(lib);
  await Deno.writeTextFile(join(lib, "a.jar"), "user's");
  const a = await cached(dir.path, "a.jar", "A");
  await assert.rejects(placeLibFiles(lib, [a]), InputError);
  assert.equal(await Deno.readTextFile(join(lib, "a.jar")), "user's");
});

Deno.test("placeLibFiles() ignores manifest entries that are not plain file names", async () => {
  await using dir = await tempDir();
  const lib = join(dir.path, "lib");
  await Deno.mkdir(lib);
  const outside = join(dir.path, "precious.txt");
  await Deno.writeTextFile(outside, "keep");
  await Deno.writeTextFile(
    join(lib, ".dvt-manifest.json"),
    JSON.stringify({ files: { "../precious.txt": "0".repeat(64) } }),
  );
  assert.deepEqual(await placeLibFiles(lib, []), { placed: [], removed: [] });
  assert.equal(await Deno.readTextFile(outside), "keep");
});
