import assert from "node:assert/strict";
import { detectJvmOs, matchesOs, osFamilies } from "../../../runtime/maven/os_activation.ts";

const LINUX = { name: "Linux", arch: "amd64", version: "5.15.0" };

Deno.test("osFamilies() derives plexus Os families from the JVM os.name", () => {
  assert.deepEqual([...osFamilies("Linux")], ["unix"]);
  assert.deepEqual([...osFamilies("Mac OS X")].sort(), ["mac", "unix"]);
  assert.deepEqual([...osFamilies("Windows 10")].sort(), ["dos", "windows", "winnt"]);
  assert.deepEqual([...osFamilies("Windows 98")].sort(), ["dos", "win9x", "windows"]);
  assert.ok(osFamilies("Linux", "Custom").has("custom"));
});

Deno.test("matchesOs() requires every given field, case-insensitively, with ! negation", () => {
  const environment = LINUX;
  assert.equal(matchesOs({ family: "UNIX" }, environment), true);
  assert.equal(matchesOs({ family: "windows" }, environment), false);
  assert.equal(matchesOs({ family: "!windows" }, environment), true);
  assert.equal(matchesOs({ name: "linux", arch: "amd64" }, environment), true);
  assert.equal(matchesOs({ name: "linux", arch: "aarch64" }, environment), false);
  assert.equal(matchesOs({ arch: "!amd64" }, environment), false);
  assert.equal(matchesOs({ version: "5.15.0" }, environment), true);
  assert.equal(matchesOs({}, environment), false);
});

Deno.test("detectJvmOs() names this machine the way a JVM does", () => {
  const os = detectJvmOs();
  const expected = { linux: "Linux", darwin: "Mac OS X", windows: "Windows" }[
    Deno.build.os as string
  ];
  if (expected) assert.equal(os.name, expected);
  assert.ok(["amd64", "x86_64", "aarch64"].includes(os.arch), os.arch);
  // Tests run with -A, so the kernel release is readable.
  assert.equal(os.version, Deno.osRelease());
});
