import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { hashBytes, hashFile, parseChecksumFile } from "../../../runtime/maven/checksums.ts";
import { tempDir } from "../../_helpers.ts";

const SHA1 = createHash("sha1").update("dvt").digest("hex");

Deno.test("parseChecksumFile() accepts bare hex and `hex  filename`", () => {
  assert.equal(parseChecksumFile(SHA1, "sha1"), SHA1);
  assert.equal(parseChecksumFile(`${SHA1.toUpperCase()}  x.jar\n`, "sha1"), SHA1);
  assert.equal(parseChecksumFile(`  ${SHA1}\n`, "sha1"), SHA1);
});

Deno.test("parseChecksumFile() rejects text that is not a digest of that algorithm", () => {
  assert.equal(parseChecksumFile("<html>not found</html>", "sha1"), undefined);
  assert.equal(parseChecksumFile(SHA1, "sha256"), undefined);
  assert.equal(parseChecksumFile("", "sha512"), undefined);
});

Deno.test("hashFile() streams a file to the same digests as hashing its bytes", async () => {
  await using dir = await tempDir();
  const bytes = new Uint8Array(200_000).map((_, index) => (index * 31 + 7) % 251);
  const path = join(dir.path, "a.jar");
  await Deno.writeFile(path, bytes);
  const digests = await hashFile(path);
  assert.deepEqual(digests, hashBytes(bytes));
  assert.equal(digests.sha256, createHash("sha256").update(bytes).digest("hex"));
  assert.equal(digests.sha512.length, 128);
});
