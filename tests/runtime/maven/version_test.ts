import assert from "node:assert/strict";
import { compareVersions } from "../../../runtime/maven/version.ts";
import { canonicalVersion } from "./_canonical_version.ts";
import {
  highestInRange,
  parseVersionRequirement,
  requirementContains,
} from "../../../runtime/maven/version_range.ts";
import { parseMetadataVersions } from "../../../runtime/maven/metadata.ts";
import { ResolveError } from "../../../runtime/errors.ts";

// Ascending orders from Maven's own ComparableVersionTest tables.
const QUALIFIER_ORDER = [
  "1-alpha2snapshot",
  "1-alpha2",
  "1-alpha-123",
  "1-beta-2",
  "1-beta123",
  "1-m2",
  "1-m11",
  "1-rc",
  "1-cr2",
  "1-rc123",
  "1-SNAPSHOT",
  "1",
  "1-sp",
  "1-sp2",
  "1-sp123",
  "1-abc",
  "1-def",
  "1-pom-1",
  "1-1-snapshot",
  "1-1",
  "1-2",
  "1-123",
];
const NUMBER_ORDER = [
  "2.0",
  "2-1",
  "2.0.a",
  "2.0.0.a",
  "2.0.2",
  "2.0.123",
  "2.1.0",
  "2.1-a",
  "2.1b",
  "2.1-c",
  "2.1-1",
  "2.1.0.1",
  "2.2",
  "2.123",
  "11.a2",
  "11.a11",
  "11.b2",
  "11.b11",
  "11.m2",
  "11.m11",
  "11",
  "11.a",
  "11b",
  "11c",
  "11m",
];

for (const [name, order] of [["qualifier", QUALIFIER_ORDER], ["number", NUMBER_ORDER]] as const) {
  Deno.test(`compareVersions() orders Maven's ${name} table`, () => {
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        const expected = Math.sign(i - j);
        assert.equal(
          Math.sign(compareVersions(order[i], order[j])),
          expected,
          `${order[i]} vs ${order[j]}`,
        );
      }
    }
  });
}

Deno.test("compareVersions() treats aliases, case and trailing zeros as equal", () => {
  const equal = [
    ["1", "1.0.0"],
    ["1-ga", "1"],
    ["1-final", "1"],
    ["1-release", "1"],
    ["1-cr1", "1-rc1"],
    ["1a1", "1-alpha-1"],
    ["1.0-SNAPSHOT", "1-snapshot"],
    ["1.0.0-0.0", "1"],
  ];
  for (const [a, b] of equal) assert.equal(compareVersions(a, b), 0, `${a} == ${b}`);
});

Deno.test("compareVersions() follows the qualifier ladder alpha<beta<milestone<rc<snapshot<ga<sp", () => {
  const ladder = ["1-alpha", "1-beta", "1-milestone", "1-rc", "1-snapshot", "1", "1-sp", "1.1"];
  for (let i = 1; i < ladder.length; i++) {
    assert.ok(compareVersions(ladder[i - 1], ladder[i]) < 0, `${ladder[i - 1]} < ${ladder[i]}`);
  }
  assert.ok(compareVersions("1.10", "1.9") > 0);
  assert.ok(compareVersions("1.0.0.12345678901234567890", "1.0.0.9") > 0);
});

Deno.test("canonicalVersion() drops trailing null items", () => {
  assert.equal(canonicalVersion("1.0.0"), "1");
  assert.equal(canonicalVersion("1.0-GA"), "1");
  assert.equal(canonicalVersion("1.2-RC1"), "1.2-rc-1");
});

Deno.test("parseVersionRequirement() parses ranges and requirementContains() checks bounds", () => {
  const cases: Array<[string, string[], string[]]> = [
    ["[1.0,2.0)", ["1.0", "1.5", "1.9.9", "2.0-beta"], ["0.9", "2.0", "2.1"]],
    ["(,1.0]", ["0.1", "1.0", "1"], ["1.0.1", "1.1"]],
    ["[1.2]", ["1.2", "1.2.0"], ["1.2.1", "1.1"]],
    ["[1,2),[3,4)", ["1", "1.5", "3", "3.9"], ["2", "2.5", "4"]],
    ["(1.0,)", ["1.0.1", "99"], ["1.0", "0.5"]],
  ];
  for (const [spec, inside, outside] of cases) {
    const requirement = parseVersionRequirement(spec);
    assert.equal(requirement.kind, "range");
    for (const v of inside) assert.ok(requirementContains(requirement, v), `${v} in ${spec}`);
    for (const v of outside) assert.ok(!requirementContains(requirement, v), `${v} not in ${spec}`);
  }
  assert.deepEqual(parseVersionRequirement("1.0"), { kind: "version", version: "1.0" });
});

Deno.test("parseVersionRequirement() rejects malformed ranges with a ResolveError", () => {
  for (const bad of ["[1.0,2.0", "[2.0,1.0]", "(1.0)", "[1,2),[1.5,3)", "[1,2,3]", "[1,2)x"]) {
    assert.throws(() => parseVersionRequirement(bad), ResolveError, bad);
  }
});

Deno.test("highestInRange() picks the highest listed version in the range", () => {
  const xml = metadataXml(["1.0", "1.5", "1.10", "2.0-beta", "2.0", "3.1"]);
  const available = parseMetadataVersions(xml, "g:a");
  assert.deepEqual(available, ["1.0", "1.5", "1.10", "2.0-beta", "2.0", "3.1"]);
  assert.equal(highestInRange(parseVersionRequirement("[1.0,2.0)"), available), "2.0-beta");
  assert.equal(highestInRange(parseVersionRequirement("[1.0,1.9]"), available), "1.5");
  assert.equal(highestInRange(parseVersionRequirement("(,1.10]"), available), "1.10");
  assert.equal(highestInRange(parseVersionRequirement("[1,2),[3,4)"), available), "3.1");
  assert.equal(highestInRange(parseVersionRequirement("[4,)"), available), undefined);
});

function metadataXml(versions: string[]): string {
  const items = versions.map((v) => `<version>${v}</version>`).join("\n");
  return `<?xml version="1.0"?>\n<metadata xmlns="http://maven.apache.org/METADATA/1.1.0">
  <groupId>g</groupId><artifactId>a</artifactId>
  <versioning><latest>3.1</latest><versions>${items}</versions></versioning></metadata>`;
}
