/**
 * esbuild runs as one service process per dvt process, and `stop()` ends it for every caller:
 * each user goes through {@linkcode withEsbuild}, which stops it only when the last one is done,
 * so bundling one connector never breaks another's build running at the same time.
 *
 * @module
 */

let users = 0;

/** Runs `use` with esbuild loaded; stops its service when no other use is in flight. */
export async function withEsbuild<T>(
  use: (esbuild: typeof import("esbuild")) => Promise<T>,
): Promise<T> {
  const esbuild = await import("esbuild");
  users++;
  try {
    return await use(esbuild);
  } finally {
    if (--users === 0) await esbuild.stop();
  }
}
