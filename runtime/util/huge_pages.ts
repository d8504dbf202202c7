/**
 * Receive buffers backed by transparent huge pages on Linux: a buffer with room to start its
 * bytes on a 2 MiB boundary, the pages under them advised `MADV_HUGEPAGE` (through Deno's FFI)
 * before anything is written.
 *
 * Why: receiving a download writes every page of a new buffer once, and each first write into
 * a 4 KiB page is a page fault. On the development VM a fault costs ~12 µs: 60 MB of result
 * files cost ~0.2 s of faults before a byte was decoded, as much as the network reads; in 2 MiB
 * pages it is 1/512 of the faults (BENCHMARKS.md, databricks). Most distributions ship THP in
 * `madvise` mode, where only advised memory gets huge pages. The slack before the aligned start
 * and after the end is address space only, never written, so it costs no memory. Elsewhere (not
 * Linux, no FFI permission, not glibc, a small buffer) the allocator returns a plain buffer:
 * the advice is an optimisation, never needed for a correct result.
 *
 * @module
 */

const MADV_HUGEPAGE = 14;
const HUGE_PAGE = 2 * 1024 * 1024;

type Madvise = (address: Deno.PointerValue, length: bigint, advice: number) => number;

let madvise: Madvise | null | undefined;

function loadMadvise(): Madvise | null {
  if (Deno.build.os !== "linux") return null;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      madvise: { parameters: ["pointer", "usize", "i32"], result: "i32" },
    });
    return libc.symbols.madvise;
  } catch {
    return null; // no FFI permission, or not glibc: go without the advice
  }
}

/**
 * A zero-filled view of `length` bytes for receiving into, in huge pages where Linux allows.
 * Bodies under one huge page get a plain buffer.
 *
 * @example
 * ```ts
 * import { allocateHugePages } from "./huge_pages.ts";
 * const bytes = allocateHugePages(8 * 1024 * 1024);
 * bytes.fill(1); // faults in 2 MiB pages where the kernel allows
 * ```
 */
export function allocateHugePages(length: number): Uint8Array {
  if (length < HUGE_PAGE) return new Uint8Array(length);
  madvise ??= loadMadvise();
  if (!madvise) return new Uint8Array(length);
  const span = Math.ceil(length / HUGE_PAGE) * HUGE_PAGE;
  const buffer = new ArrayBuffer(span + HUGE_PAGE);
  const address = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
  const huge = BigInt(HUGE_PAGE);
  const aligned = (address + huge - 1n) / huge * huge;
  madvise(Deno.UnsafePointer.create(aligned), BigInt(span), MADV_HUGEPAGE);
  return new Uint8Array(buffer, Number(aligned - address), length);
}
