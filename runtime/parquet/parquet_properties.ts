/**
 * The Parquet writer settings every dvt file is written with, shared by the direct writer, the
 * parquet-wasm encoder and the encoder worker so all produce the same files. Nothing here loads
 * parquet-wasm (parquet_wasm_encoder.ts does, on first use).
 *
 * @module
 */
/**
 * Rows per row group. DuckDB parallelises scans per row group and uses 122,880 for its own
 * files; matching it keeps reads parallel and bounds the writer's buffered row group.
 */
export const MAX_ROW_GROUP_ROWS = 122_880;

/** Writes all of `chunk` to `file`; returns its length. */
export async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<number> {
  let written = 0;
  while (written < chunk.length) written += await file.write(chunk.subarray(written));
  return written;
}
