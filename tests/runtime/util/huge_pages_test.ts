import assert from "node:assert/strict";
import { allocateHugePages } from "../../../runtime/util/huge_pages.ts";

const MiB = 1024 * 1024;

/** Whether this kernel gives huge pages to advised memory (THP `always` or `madvise`). */
function hugePagesAdvisable(): boolean {
  try {
    const mode = Deno.readTextFileSync("/sys/kernel/mm/transparent_hugepage/enabled");
    return /\[(always|madvise)\]/.test(mode);
  } catch {
    return false;
  }
}

/** A numeric field of /proc/self/smaps for the mapping of this process that holds `address`. */
function smapsField(address: bigint, field: string): number | undefined {
  let inside = false;
  for (const line of Deno.readTextFileSync("/proc/self/smaps").split("\n")) {
    const range = line.match(/^([0-9a-f]+)-([0-9a-f]+) /);
    if (range) {
      inside = BigInt(`0x${range[1]}`) <= address && address < BigInt(`0x${range[2]}`);
      continue;
    }
    const value = inside && line.match(new RegExp(`^${field}:\\s+(\\d+)`));
    if (value) return Number(value[1]);
  }
  return undefined;
}

Deno.test("allocateHugePages gives a zero-filled view of exactly the asked length", () => {
  for (const length of [1, 4096, 2 * MiB - 1, 2 * MiB, 6 * MiB + 12_345]) {
    const bytes = allocateHugePages(length);
    assert.equal(bytes.length, length);
    assert.ok(bytes.every((byte) => byte === 0));
    bytes.fill(7);
    assert.equal(bytes[length - 1], 7);
  }
});

Deno.test({
  name:
    "allocateHugePages puts a large body on a 2 MiB boundary, advised for huge pages (Linux, THP)",
  ignore: Deno.build.os !== "linux" || !hugePagesAdvisable(),
  fn() {
    const bytes = allocateHugePages(8 * MiB);
    const address = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
    assert.equal(address % BigInt(2 * MiB), 0n, "the view starts on a huge-page boundary");
    bytes.fill(1);
    // The kernel marks the advised mapping THP-eligible. Whether a fault then gets a 2 MiB page
    // depends on free memory at that moment (it falls back to 4 KiB pages), so AnonHugePages
    // is not asserted: in a loaded test run it was 0 once.
    assert.equal(smapsField(address, "THPeligible"), 1, "the buffer's mapping is advised");
    const plain = new Uint8Array(8 * MiB).fill(1);
    const plainAddress = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(plain)));
    // The positive control: an unadvised buffer is not eligible in THP's `madvise` mode (under
    // `always` every large mapping is, so only check it there).
    if (/\[madvise\]/.test(Deno.readTextFileSync("/sys/kernel/mm/transparent_hugepage/enabled"))) {
      assert.equal(smapsField(plainAddress, "THPeligible"), 0);
    }
  },
});

Deno.test("allocateHugePages falls back to a plain buffer where FFI is not allowed", async () => {
  const script = `
    import { allocateHugePages } from ${
    JSON.stringify(new URL("../../../runtime/util/huge_pages.ts", import.meta.url).href)
  };
    const bytes = allocateHugePages(${6 * MiB});
    bytes.fill(3);
    console.log(bytes.length, bytes.byteOffset, bytes.buffer.byteLength);
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = output.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await output.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), `${6 * MiB} 0 ${6 * MiB}`);
});
