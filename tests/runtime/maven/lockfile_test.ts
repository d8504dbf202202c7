import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../../runtime/errors.ts";
import {
  formatLockfile,
  lockDifferences,
  type LockEntry,
  readLockfile,
  writeLockfile,
} from "../../../runtime/maven/lockfile.ts";
import { tempDir } from "../../_helpers.ts";

const entry = (coordinates: string, sha: string, neededBy = ["jdbc:postgres"]): LockEntry => ({
  coordinates,
  file: `${coordinates.split(":")[1]}.jar`,
  repository: "https://repo1.maven.org/maven2/",
  sha256: sha.repeat(64),
  needed_by: neededBy,
});

Deno.test("formatLockfile() is deterministic whatever the input order", () => {
  const a = entry("b:b:1", "b", ["native:x", "jdbc:y", "jdbc:y"]);
  const b = entry("a:a:1", "a");
  const text = formatLockfile({ version: 1, artifacts: [a, b] });
  assert.equal(text, formatLockfile({ version: 1, artifacts: [b, a] }));
  const parsed = JSON.parse(text);
  assert.deepEqual(parsed.artifacts.map((x: LockEntry) => x.coordinates), ["a:a:1", "b:b:1"]);
  assert.deepEqual(parsed.artifacts[1].needed_by, ["jdbc:y", "native:x"]);
  assert.ok(text.endsWith("}\n"));
});

Deno.test("writeLockfile() writes only on change and readLockfile() reads it back", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "dvt.lock");
  const lock = { version: 1, artifacts: [entry("a:a:1", "a")] };
  assert.equal(await writeLockfile(path, lock), true);
  assert.equal(await writeLockfile(path, lock), false);
  assert.deepEqual(await readLockfile(path), JSON.parse(formatLockfile(lock)));
  assert.equal(await readLockfile(join(dir.path, "none.lock")), undefined);
});

Deno.test("readLockfile() rejects malformed files with the field", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "dvt.lock");
  await Deno.writeTextFile(path, "{");
  await assert.rejects(readLockfile(path), ConfigError);
  const bad = { version: 1, artifacts: [{ ...entry("a:a:1", "a"), sha256: "abc" }] };
  await Deno.writeTextFile(path, JSON.stringify(bad));
  await assert.rejects(readLockfile(path), /artifacts\[0\]\.sha256: expected 64 hex digits/);
});

Deno.test("lockDifferences() lists new, changed and missing artifacts of the synced groups", () => {
  const lock = {
    version: 1,
    artifacts: [
      entry("a:a:1", "a"),
      entry("b:b:1", "b"),
      entry("n:n:1", "c", ["native:snowflake"]),
    ],
  };
  const resolved = [entry("a:a:1", "d"), entry("c:c:1", "c")];
  assert.deepEqual(lockDifferences(lock, resolved, ["jdbc"]), [
    `changed: a:a:1 sha256 ${"d".repeat(64)}, locked ${"a".repeat(64)}`,
    "missing: b:b:1 is locked but not needed",
    "new: c:c:1 (not in dvt.lock)",
  ]);
  assert.deepEqual(lockDifferences(lock, [entry("a:a:1", "a"), entry("b:b:1", "b")], ["jdbc"]), []);
});
