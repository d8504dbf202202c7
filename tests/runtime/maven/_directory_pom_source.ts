/**
 * Test helper: a {@linkcode PomSource} over a Maven 2 layout directory (a local repository, a
 * cache, or Debian's /usr/share/maven-repo). Directories rarely carry maven-metadata.xml, so when
 * it is missing the version list is built from the version directories that hold a POM.
 *
 * @module
 */
import { join } from "node:path";
import { metadataPath, pomPath } from "../../../runtime/maven/coordinates.ts";
import type { FetchedPom, PomSource } from "../../../runtime/maven/pom_source.ts";

/** Serves POMs from a directory in repository layout. */
export class DirectoryPomSource implements PomSource {
  readonly root: string;
  readonly repositories: readonly string[];

  constructor(root: string) {
    this.root = root;
    this.repositories = [root];
  }

  /** The POM file's text, or undefined when the directory does not have it. */
  async fetchPom(groupId: string, artifactId: string, version: string): Promise<
    FetchedPom | undefined
  > {
    const xml = await readIfPresent(join(this.root, pomPath(groupId, artifactId, version)));
    return xml === undefined ? undefined : { xml, repository: this.root };
  }

  /** maven-metadata.xml, or one listing the version directories that contain a POM. */
  async fetchMetadata(groupId: string, artifactId: string): Promise<string | undefined> {
    const file = join(this.root, metadataPath(groupId, artifactId));
    const xml = await readIfPresent(file);
    if (xml !== undefined) return xml;
    const versions = await this.#listVersions(groupId, artifactId);
    if (!versions.length) return undefined;
    const items = versions.map((version) => `<version>${version}</version>`).join("");
    return `<metadata><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId>` +
      `<versioning><versions>${items}</versions></versioning></metadata>`;
  }

  async #listVersions(groupId: string, artifactId: string): Promise<string[]> {
    const directory = join(this.root, metadataPath(groupId, artifactId), "..");
    const versions: string[] = [];
    try {
      for await (const entry of Deno.readDir(directory)) {
        if (!entry.isDirectory && !entry.isSymlink) continue;
        const pom = join(this.root, pomPath(groupId, artifactId, entry.name));
        if (await readIfPresent(pom) !== undefined) versions.push(entry.name);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return versions.sort();
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
}
