import assert from "node:assert/strict";
import { join } from "node:path";
import { IntegrityError } from "../../../runtime/errors.ts";
import { parseCoordinates } from "../../../runtime/maven/coordinates.ts";
import { fetchArtifact } from "../../../runtime/maven/download.ts";
import { LocalCache } from "../../../runtime/maven/local_cache.ts";
import { silentProgress } from "../../../runtime/util/progress.ts";
import { tempDir } from "../../_helpers.ts";
import { DEBIAN_MAVEN_REPO, serveMavenRepository } from "../../commands/_maven_repo_server.ts";

const SQLITE = "org/xerial/sqlite-jdbc/3.40.1.0/sqlite-jdbc-3.40.1.0.jar";
const available = await Deno.stat(join(DEBIAN_MAVEN_REPO, SQLITE)).then(() => true, () => false);

function context(root: string, url: string, offline = false) {
  return {
    repositories: [{ url: `${url}/`, headers: {} }],
    cache: new LocalCache(root),
    fetch: (input: string, init?: RequestInit) => fetch(input, init),
    offline,
    progress: silentProgress,
  };
}

Deno.test({
  name: "fetchArtifact() restarts from scratch when a stale .part does not verify",
  ignore: !available,
  async fn() {
    await using dir = await tempDir();
    await using server = serveMavenRepository();
    const cache = join(dir.path, "cache");
    const part = join(cache, `${SQLITE}.part`);
    await Deno.mkdir(join(part, ".."), { recursive: true });
    await Deno.writeTextFile(part, "bytes of some other file");
    const coordinates = parseCoordinates("org.xerial:sqlite-jdbc:3.40.1.0");
    const artifact = await fetchArtifact({ coordinates }, context(cache, server.url));
    assert.equal(artifact.downloaded, true);
    assert.deepEqual(
      await Deno.readFile(artifact.path),
      await Deno.readFile(join(DEBIAN_MAVEN_REPO, SQLITE)),
    );
    assert.ok(server.requests.some((r) => r.path === SQLITE && r.range === "bytes=24-"));
    assert.ok(server.requests.some((r) => r.path === SQLITE && r.range === null));
    await assert.rejects(Deno.stat(part));

    // Warm: from the cache, no request; offline works; a different pin is refused.
    const seen = server.requests.length;
    const again = await fetchArtifact({ coordinates }, context(cache, server.url, true));
    assert.equal(again.downloaded, false);
    assert.equal(server.requests.length, seen);
    await assert.rejects(
      fetchArtifact({ coordinates, pinnedSha256: "0".repeat(64) }, context(cache, server.url)),
      IntegrityError,
    );
  },
});
