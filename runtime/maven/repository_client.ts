/**
 * HTTP access to one Maven repository: small files (POMs, checksums, metadata) and resumable
 * artifact downloads into a `.part` file. Status errors after the retrying fetch gave up, and
 * network failures, become a ResolveError naming the repository and the file, never the
 * credentials.
 *
 * @module
 */
import { IntegrityError, ResolveError } from "../errors.ts";
import type { ProgressReporter } from "../util/progress.ts";
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, parseChecksumFile } from "./checksums.ts";
import type { Repository } from "./repositories.ts";

/** The fetch used for repositories (createRetryingFetch in production). */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** Checksums a repository publishes for one file; absent algorithms are not published. */
export type PublishedChecksums = Partial<Record<ChecksumAlgorithm, string>>;

/** How many times a body cut off mid-transfer is resumed before giving up. */
const BODY_ATTEMPTS = 5;

/** Longest wait for response headers. */
const HEADERS_TIMEOUT_MS = 30_000;

/** Longest pause between two chunks of a body before the download is resumed anew. */
const IDLE_TIMEOUT_MS = 60_000;

function unreachable(repository: Repository, what: string, cause: unknown): ResolveError {
  return new ResolveError(`cannot fetch ${what} from repository ${repository.url}`, {
    cause,
    hint: "check the network and the repository URL (sync.repositories or DVT_MAVEN_REPOS), " +
      "or run with --offline if the cache is warm",
  });
}

function statusError(repository: Repository, what: string, response: Response): ResolveError {
  const auth = response.status === 401 || response.status === 403;
  return new ResolveError(
    `repository ${repository.url} answered HTTP ${response.status} for ${what}`,
    {
      hint: auth
        ? "check the repository credentials (username_env/password_env or token_env in dvt.yaml)"
        : "the repository failed after retries; try again later or configure a mirror",
    },
  );
}

async function get(
  fetcher: FetchFunction,
  repository: Repository,
  relative: string,
  what: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  // A server that accepts the connection but never answers must not hang sync forever; the
  // timer stops once headers arrive, so long bodies are bounded by the idle timeout instead.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("no response")), HEADERS_TIMEOUT_MS);
  try {
    return await fetcher(repository.url + relative, {
      headers: { ...repository.headers, ...headers },
      signal: controller.signal,
    });
  } catch (cause) {
    throw unreachable(repository, what, cause);
  } finally {
    clearTimeout(timer);
  }
}

/** A small text file, or undefined when the repository does not have it (404/410). */
export async function fetchText(
  fetcher: FetchFunction,
  repository: Repository,
  relative: string,
  what: string,
): Promise<string | undefined> {
  const bytes = await fetchBytes(fetcher, repository, relative, what);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/** A small file's bytes, or undefined when the repository does not have it (404/410). */
export async function fetchBytes(
  fetcher: FetchFunction,
  repository: Repository,
  relative: string,
  what: string,
): Promise<Uint8Array | undefined> {
  const response = await get(fetcher, repository, relative, what);
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw statusError(repository, what, response);
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw unreachable(repository, what, cause);
  }
}

/** Fetches the `.sha512`/`.sha256`/`.sha1` files the repository publishes for a file. */
export async function fetchPublishedChecksums(
  fetcher: FetchFunction,
  repository: Repository,
  relative: string,
  what: string,
): Promise<PublishedChecksums> {
  const texts = await Promise.all(
    CHECKSUM_ALGORITHMS.map((algorithm) =>
      fetchText(fetcher, repository, `${relative}.${algorithm}`, `${what} (.${algorithm})`)
    ),
  );
  const published: PublishedChecksums = {};
  CHECKSUM_ALGORITHMS.forEach((algorithm, index) => {
    const text = texts[index];
    if (text === undefined) return;
    const hex = parseChecksumFile(text, algorithm);
    if (!hex) {
      throw new IntegrityError(
        `repository ${repository.url} serves an unreadable .${algorithm} file for ${what}`,
        { hint: "the repository or a proxy in front of it is misbehaving; report it" },
      );
    }
    published[algorithm] = hex;
  });
  return published;
}

async function partSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** Where a resumed response's bytes start, or undefined when the server sent the whole file. */
function resumeOffset(response: Response, offset: number): number | undefined {
  if (response.status !== 206) return undefined;
  const range = response.headers.get("content-range") ?? "";
  return range.startsWith(`bytes ${offset}-`) ? offset : undefined;
}

/**
 * Downloads a file into `partPath`, resuming from the bytes already there (HTTP Range). A server
 * that ignores Range gets a full download; a body cut off mid-transfer is resumed up to a few
 * times. Returns false when the repository does not have the file.
 */
export async function downloadToPart(
  fetcher: FetchFunction,
  repository: Repository,
  relative: string,
  partPath: string,
  what: string,
  progress: ProgressReporter,
): Promise<boolean> {
  for (let attempt = 1;; attempt++) {
    const offset = await partSize(partPath);
    const range: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const response = await get(fetcher, repository, relative, what, range);
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return false;
    }
    if (response.status === 416) {
      // The .part is no prefix of the file any more: start over.
      await response.body?.cancel();
      await Deno.remove(partPath).catch(() => {});
      continue;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw statusError(repository, what, response);
    }
    const start = resumeOffset(response, offset) ?? 0;
    const length = Number(response.headers.get("content-length") ?? NaN);
    progress.start(what, Number.isFinite(length) ? start + length : undefined);
    try {
      const end = await writeBody(response.body, partPath, start, (done) => {
        progress.update(what, done);
      });
      if (Number.isFinite(length) && end < start + length) {
        throw new Error(`connection closed after ${end} of ${start + length} bytes`);
      }
      return true;
    } catch (cause) {
      if (attempt >= BODY_ATTEMPTS) throw unreachable(repository, what, cause);
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

async function writeBody(
  body: ReadableStream<Uint8Array>,
  path: string,
  start: number,
  onProgress: (done: number) => void,
): Promise<number> {
  const file = await Deno.open(
    path,
    start > 0 ? { append: true } : {
      write: true,
      create: true,
      truncate: true,
    },
  );
  let done = start;
  const reader = body.getReader();
  let complete = false;
  try {
    for (;;) {
      const { done: ended, value: chunk } = await readWithin(reader, IDLE_TIMEOUT_MS);
      if (ended) break;
      let written = 0;
      while (written < chunk.length) written += await file.write(chunk.subarray(written));
      done += chunk.length;
      onProgress(done);
    }
    complete = true;
  } finally {
    file.close();
    if (!complete) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return done;
}

/** One read, failing (and cancelling the stream) when nothing arrives within `ms`. */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reader.cancel().catch(() => {});
      reject(new Error(`no data for ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}
