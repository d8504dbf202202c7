/**
 * A Maven-layout HTTP server on 127.0.0.1 over a real directory (Debian's /usr/share/maven-repo).
 * Checksum files are computed from the real files on request (Debian ships none); `.sha256` is
 * served only under `sha256Prefixes`. Hooks let tests corrupt, replace or cut off a file, and
 * every request is recorded.
 */
import { createHash } from "node:crypto";
import { join, normalize } from "node:path";
import { type LocalServer, serveLocal } from "../_helpers.ts";

/** Debian's Maven repository. */
export const DEBIAN_MAVEN_REPO = "/usr/share/maven-repo";

/** Options of {@linkcode serveMavenRepository}. */
export interface MavenRepoServerOptions {
  /** Directories tried in order for each path (default: Debian's repository). */
  roots?: string[];
  /** Paths (prefixes) for which `.sha256` files are also served. */
  sha256Prefixes?: string[];
  /** Replace a file's bytes; its checksums follow the replacement when `checksumsFollow`. */
  replace?: (path: string, bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>;
  checksumsFollow?: boolean;
  /** Paths answered once with 503 before being served. */
  failOnce?: Set<string>;
  /** Path prefixes for which no checksum file at all is published. */
  noChecksums?: string[];
  /** When set, every request must carry exactly this Authorization header (else 401). */
  authorization?: string;
  /** Paths whose first full-body response is cut off after half the bytes. */
  dropOnce?: Set<string>;
}

/** The server and the requests it saw. */
export interface MavenRepoServer extends LocalServer {
  requests: { path: string; range: string | null; authorization: string | null }[];
}

/** Serves a Maven repository directory over HTTP on 127.0.0.1. */
export function serveMavenRepository(options: MavenRepoServerOptions = {}): MavenRepoServer {
  const roots = options.roots ?? [DEBIAN_MAVEN_REPO];
  const requests: MavenRepoServer["requests"] = [];
  const dropped = new Set<string>();
  const failed = new Set<string>();
  const server = serveLocal(async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, "");
    const range = request.headers.get("range");
    const authorization = request.headers.get("authorization");
    requests.push({ path, range, authorization });
    if (options.authorization && authorization !== options.authorization) {
      return new Response("unauthorized", { status: 401 });
    }
    if (normalize(path).startsWith("..")) return new Response("bad path", { status: 400 });
    if (options.failOnce?.has(path) && !failed.has(path)) {
      failed.add(path);
      return new Response("try later", { status: 503 });
    }
    const checksum = /\.(sha1|sha256|sha512|md5)$/.exec(path);
    const filePath = checksum ? path.slice(0, -checksum[0].length) : path;
    let bytes: Uint8Array<ArrayBuffer> | undefined;
    for (const root of roots) {
      bytes = await Deno.readFile(join(root, filePath)).catch(() => undefined);
      if (bytes) break;
    }
    if (!bytes) return new Response("not found", { status: 404 });
    const original = bytes;
    if (options.replace) bytes = options.replace(filePath, bytes);
    if (checksum) {
      const algorithm = checksum[1];
      const hidden = (options.noChecksums ?? []).some((prefix) => filePath.startsWith(prefix));
      const served = !hidden && algorithm === "sha1" ||
        (!hidden && algorithm === "sha256" &&
          (options.sha256Prefixes ?? []).some((prefix) => filePath.startsWith(prefix)));
      if (!served) return new Response("not found", { status: 404 });
      const hashed = options.checksumsFollow === false ? original : bytes;
      const hex = createHash(algorithm).update(hashed).digest("hex");
      return new Response(`${hex}  ${filePath.split("/").pop()}\n`);
    }
    if (range) {
      const start = Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? NaN);
      if (!Number.isFinite(start) || start >= bytes.length) {
        return new Response(null, { status: 416 });
      }
      return new Response(bytes.slice(start), {
        status: 206,
        headers: { "content-range": `bytes ${start}-${bytes.length - 1}/${bytes.length}` },
      });
    }
    if (options.dropOnce?.has(filePath) && !dropped.has(filePath)) {
      dropped.add(filePath);
      const half = bytes.slice(0, Math.floor(bytes.length / 2));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          setTimeout(() => controller.error(new Error("connection dropped")), 20);
        },
      });
      return new Response(body, { headers: { "content-length": String(bytes.length) } });
    }
    return new Response(bytes, { headers: { "content-length": String(bytes.length) } });
  });
  return Object.assign(server, { requests });
}
