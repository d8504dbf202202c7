/**
 * Checksums of repository files: parsing the `.sha1` / `.sha256` / `.sha512` files repositories
 * publish (bare hex, or `hex  filename` as sha1sum writes), and hashing downloaded files in one
 * streaming pass.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";

/** Checksum algorithms in order of preference (strongest first). */
export const CHECKSUM_ALGORITHMS = ["sha512", "sha256", "sha1"] as const;

/** One checksum algorithm. */
export type ChecksumAlgorithm = typeof CHECKSUM_ALGORITHMS[number];

/** Hex digest length of each algorithm. */
const HEX_LENGTH: Record<ChecksumAlgorithm, number> = { sha512: 128, sha256: 64, sha1: 40 };

/** Hex digests by algorithm. */
export type Digests = Record<ChecksumAlgorithm, string>;

/**
 * Extracts the hex digest from a checksum file's text, or undefined when the text is not a
 * checksum of that algorithm (e.g. an HTML error page served with status 200).
 *
 * @example
 * ```ts
 * import { parseChecksumFile } from "./checksums.ts";
 * const hex = "a".repeat(40);
 * console.assert(parseChecksumFile(`${hex}  x.jar\n`, "sha1") === hex);
 * ```
 */
export function parseChecksumFile(text: string, algorithm: ChecksumAlgorithm): string | undefined {
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  const pattern = new RegExp(`^[0-9a-f]{${HEX_LENGTH[algorithm]}}$`);
  return pattern.test(first) ? first : undefined;
}

/** Hashes bytes fed in chunks with every algorithm at once. */
export class MultiHasher {
  #hashes: Hash[] = CHECKSUM_ALGORITHMS.map((algorithm) => createHash(algorithm));

  /** Adds a chunk. */
  update(chunk: Uint8Array): void {
    for (const hash of this.#hashes) hash.update(chunk);
  }

  /** The hex digests; the hasher cannot be used afterwards. */
  digests(): Digests {
    const [sha512, sha256, sha1] = this.#hashes.map((hash) => hash.digest("hex"));
    return { sha512, sha256, sha1 };
  }
}

/** Hashes a file with every algorithm, streaming it (JARs may be hundreds of MB). */
export async function hashFile(path: string): Promise<Digests> {
  const hasher = new MultiHasher();
  // The readable stream closes the file when it ends or is cancelled.
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hasher.update(chunk);
  return hasher.digests();
}

/** Hashes bytes in memory with every algorithm. */
export function hashBytes(bytes: Uint8Array): Digests {
  const hasher = new MultiHasher();
  hasher.update(bytes);
  return hasher.digests();
}
