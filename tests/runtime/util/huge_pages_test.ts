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

/** AnonHugePages (kB) of the mapping of this process that holds `address`. */
function anonHugeKiBAt(address: bigint): number {
  let inside = false;
  for (const line of Deno.readTextFileSync("/proc/self/smaps").split("\n")) {
    const range = line.match(/^([0-9a-f]+)-([0-9a-f]+) /);
    if (range) {
      inside = BigInt(`0x${range[1]}`) <= address && address < BigInt(`0x${range[2]}`);
      continue;
    }
    const huge = inside && line.match(/^AnonHugePages:\s+(\d+) kB/);
    if (huge) return Number(huge[1]);
  }
  return 0;
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
  name: "allocateHugePages puts a large body on a 2 MiB boundary in huge pages (Linux, THP)",
  ignore: Deno.build.os !== "linux" || !hugePagesAdvisable(),
  fn() {
    const bytes = allocateHugePages(8 * MiB);
    const address = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
    assert.equal(address % BigInt(2 * MiB), 0n, "the view starts on a huge-page boundary");
    bytes.fill(1); // the first writes: faulted in 2 MiB pages
    assert.ok(anonHugeKiBAt(address) >= 2048, "the buffer's mapping holds huge pages");
    const plain = new Uint8Array(8 * MiB).fill(1);
    const plainAddress = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(plain)));
    // The positive control: the same write into an unadvised buffer stays in 4 KiB pages
    // (THP `madvise` mode); under `always` both may be huge, so only check it there.
    if (/\[madvise\]/.test(Deno.readTextFileSync("/sys/kernel/mm/transparent_hugepage/enabled"))) {
      assert.equal(anonHugeKiBAt(plainAddress), 0);
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
