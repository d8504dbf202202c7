import assert from "node:assert/strict";
import { join } from "node:path";
import { DirectoryPomSource } from "./_directory_pom_source.ts";
import { parseMetadataVersions } from "../../../runtime/maven/metadata.ts";
import { tempDir } from "../../_helpers.ts";

async function writePom(root: string, version: string): Promise<void> {
  const directory = join(root, "org/example/lib", version);
  await Deno.mkdir(directory, { recursive: true });
  await Deno.writeTextFile(join(directory, `lib-${version}.pom`), `<project>${version}</project>`);
}

Deno.test("DirectoryPomSource.fetchPom() serves POMs from the repository layout", async () => {
  await using dir = await tempDir();
  await writePom(dir.path, "1.0");
  const source = new DirectoryPomSource(dir.path);
  assert.deepEqual(await source.fetchPom("org.example", "lib", "1.0"), {
    xml: "<project>1.0</project>",
    repository: dir.path,
  });
  assert.equal(await source.fetchPom("org.example", "lib", "9"), undefined);
  assert.equal(await source.fetchPom("org.other", "lib", "1.0"), undefined);
});

Deno.test("DirectoryPomSource.fetchMetadata() lists version directories holding a POM", async () => {
  await using dir = await tempDir();
  await writePom(dir.path, "1.0");
  await writePom(dir.path, "2.0");
  await Deno.mkdir(join(dir.path, "org/example/lib/3.0-empty"), { recursive: true });
  const source = new DirectoryPomSource(dir.path);
  const xml = await source.fetchMetadata("org.example", "lib");
  assert.ok(xml);
  assert.deepEqual(parseMetadataVersions(xml, "org.example:lib"), ["1.0", "2.0"]);
  assert.equal(await source.fetchMetadata("org.example", "absent"), undefined);
});

Deno.test("DirectoryPomSource.fetchMetadata() prefers a maven-metadata.xml when present", async () => {
  await using dir = await tempDir();
  await writePom(dir.path, "1.0");
  const metadata =
    "<metadata><versioning><versions><version>7</version></versions></versioning></metadata>";
  await Deno.writeTextFile(join(dir.path, "org/example/lib/maven-metadata.xml"), metadata);
  assert.equal(
    await new DirectoryPomSource(dir.path).fetchMetadata("org.example", "lib"),
    metadata,
  );
});
