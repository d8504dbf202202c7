/**
 * A response body read whole into one buffer of the size its Content-Length announces, through
 * a BYOB reader: the network's reads land in that buffer directly, instead of being queued as
 * chunks and joined by `arrayBuffer()` (measured on 60 MB of result chunks: about half the
 * main-thread CPU, BENCHMARKS.md). A body with no usable length (chunked, or content-encoded,
 * where the length is the encoded size) is read by `arrayBuffer()`. A body that ends short of
 * its length (the connection closed or broke off), or runs past it, is an error naming how many
 * bytes came, never a complete chunk.
 *
 * @module
 */

/** Thrown when the body's size does not match its Content-Length. */
export class BodyLengthError extends Error {}

function announcedLength(response: Response): number | undefined {
  if (response.headers.has("content-encoding")) return undefined;
  const header = response.headers.get("content-length");
  const length = header === null ? NaN : Number(header);
  return Number.isSafeInteger(length) && length > 0 ? length : undefined;
}

/**
 * The whole body of `response`, in a buffer from `allocate` (by default a new one of exactly
 * the announced length; huge_pages.ts's allocator gives one backed by huge pages).
 *
 * @example
 * ```ts
 * import { bodyBytes } from "./body_bytes.ts";
 * const bytes = await bodyBytes(new Response(new Uint8Array([1, 2, 3])));
 * if (bytes.length !== 3) throw new Error();
 * ```
 */
export async function bodyBytes(
  response: Response,
  allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): Promise<Uint8Array> {
  const length = announcedLength(response);
  if (length === undefined || !response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader({ mode: "byob" });
  try {
    const target = allocate(length);
    // Each BYOB read hands the buffer back (transferred): keep the latest, at the same offset.
    let buffer = target.buffer as ArrayBuffer;
    const offset = target.byteOffset;
    let filled = 0;
    while (filled < length) {
      const view = new Uint8Array(buffer, offset + filled, length - filled);
      const { value, done } = await reader.read(view).catch((cause: unknown) => {
        // fetch says only "error reading a body from connection": say how much was missing.
        throw new BodyLengthError(`the body broke off after ${filled} of its ${length} bytes`, {
          cause,
        });
      });
      if (value) {
        buffer = value.buffer as ArrayBuffer;
        filled += value.byteLength;
      }
      if (done) break;
    }
    if (filled < length) {
      throw new BodyLengthError(`the body ended after ${filled} of its ${length} bytes`);
    }
    const after = await reader.read(new Uint8Array(1));
    if (!after.done) throw new BodyLengthError(`the body runs past its ${length} bytes`);
    return new Uint8Array(buffer, offset, filled);
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}
