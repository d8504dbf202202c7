import assert from "node:assert/strict";
import {
  type DependencyRequest,
  type ResolvedArtifact,
  resolveDependencies,
} from "../../../runtime/maven/resolver.ts";
import { formatCoordinates, parseCoordinates } from "../../../runtime/maven/coordinates.ts";
import { ResolveError } from "../../../runtime/errors.ts";
import { MEMORY_REPOSITORY, MemoryPomSource, type PomSpec } from "./_memory_pom_source.ts";

function request(text: string, extra: Partial<DependencyRequest> = {}): DependencyRequest {
  return { coordinates: parseCoordinates(text), ...extra };
}

/** "g:a:v scope@depth" per artifact, in result order. */
function summary(artifacts: ResolvedArtifact[]): string[] {
  return artifacts.map((a) => `${formatCoordinates(a.coordinates)} ${a.scope}@${a.depth}`);
}

async function resolve(
  specs: PomSpec[],
  roots: string[] | DependencyRequest[],
  managed: DependencyRequest[] = [],
): Promise<string[]> {
  const requests = roots.map((root) => typeof root === "string" ? request(root) : root);
  return summary(await resolveDependencies(requests, new MemoryPomSource(specs), { managed }));
}

Deno.test("resolveDependencies() lets the nearest version win", async () => {
  const result = await resolve([
    { id: "g:a:1", deps: ["g:c:1"] },
    { id: "g:b:1", deps: ["g:x:2"] },
    { id: "g:c:1", deps: ["g:x:1"] },
    { id: "g:x:1" },
    { id: "g:x:2" },
  ], ["g:a:1", "g:b:1"]);
  assert.deepEqual(result, [
    "g:a:1 compile@1",
    "g:b:1 compile@1",
    "g:c:1 compile@2",
    "g:x:2 compile@2",
  ]);
});

Deno.test("resolveDependencies() breaks ties at equal depth by first declaration", async () => {
  const specs: PomSpec[] = [
    { id: "g:a:1", deps: ["g:x:1"] },
    { id: "g:b:1", deps: ["g:x:2"] },
    { id: "g:x:1" },
    { id: "g:x:2" },
  ];
  assert.deepEqual(await resolve(specs, ["g:a:1", "g:b:1"]), [
    "g:a:1 compile@1",
    "g:b:1 compile@1",
    "g:x:1 compile@2",
  ]);
  assert.deepEqual((await resolve(specs, ["g:b:1", "g:a:1"]))[2], "g:x:2 compile@2");
});

Deno.test("resolveDependencies() lets a direct declaration win even when declared later", async () => {
  const result = await resolve([
    { id: "g:a:1", deps: ["g:x:2"] },
    { id: "g:x:1" },
    { id: "g:x:2" },
  ], ["g:a:1", "g:x:1"]);
  assert.deepEqual(result, ["g:a:1 compile@1", "g:x:1 compile@1"]);
});

Deno.test("resolveDependencies() drops the subtree of a losing version", async () => {
  const source = new MemoryPomSource([
    { id: "g:b:1", deps: ["g:x:2"] },
    { id: "g:a:1", deps: ["g:e:1"] },
    { id: "g:e:1", deps: ["g:x:1"] },
    { id: "g:x:1", deps: ["g:only-under-loser:1"] },
    { id: "g:x:2" },
    { id: "g:only-under-loser:1" },
  ]);
  const result = await resolveDependencies([request("g:b:1"), request("g:a:1")], source);
  assert.deepEqual(summary(result), [
    "g:b:1 compile@1",
    "g:a:1 compile@1",
    "g:x:2 compile@2",
    "g:e:1 compile@2",
  ]);
  assert.ok(!source.fetched.includes("g:x:1"), "a loser's POM is not needed");
});

Deno.test("resolveDependencies() applies root management to transitive versions and scopes only", async () => {
  const result = await resolve(
    [
      { id: "g:a:1", deps: ["g:x:1", "g:y:1"] },
      { id: "g:x:1" },
      { id: "g:x:3" },
      { id: "g:y:1" },
      { id: "g:z:1" },
      { id: "g:z:5" },
    ],
    ["g:a:1", "g:z:1"],
    [request("g:x:3", { scope: "runtime" }), request("g:z:5")],
  );
  assert.deepEqual(result, [
    "g:a:1 compile@1",
    "g:z:1 compile@1", // a direct version is not overridden
    "g:x:3 runtime@2",
    "g:y:1 compile@2",
  ]);
});

Deno.test("resolveDependencies() fills a root request's missing version from management", async () => {
  const result = await resolve(
    [{ id: "g:x:4" }],
    [{ coordinates: { groupId: "g", artifactId: "x", version: "", type: "jar" } }],
    [request("g:x:4")],
  );
  assert.deepEqual(result, ["g:x:4 compile@1"]);
});

Deno.test("resolveDependencies() ignores a dependency's own management for its subtree", async () => {
  const result = await resolve([
    { id: "g:a:1", managed: ["g:y:9", "g:c:2"], deps: ["g:b:1", "g:c"] },
    { id: "g:b:1", deps: ["g:y:1"] },
    { id: "g:c:2" },
    { id: "g:y:1" },
    { id: "g:y:9" },
  ], ["g:a:1"]);
  assert.deepEqual(result, [
    "g:a:1 compile@1",
    "g:b:1 compile@2",
    "g:c:2 compile@2", // a's management completes a's own declaration
    "g:y:1 compile@3", // but does not reach b's dependencies
  ]);
});

Deno.test("resolveDependencies() imports root BOMs in order, the first managing an artifact winning", async () => {
  const specs: PomSpec[] = [
    { id: "g:bom-one:1", packaging: "pom", managed: ["g:x:1.1"] },
    { id: "g:bom-two:1", packaging: "pom", managed: ["g:x:2.2", "g:y:2.2"] },
    { id: "g:a:1", deps: ["g:x:1.0", "g:y:1.0"] },
    { id: "g:x:1.1" },
    { id: "g:x:2.2" },
    { id: "g:y:2.2" },
  ];
  const boms = [request("g:bom-one:pom:1"), request("g:bom-two:pom:1")];
  assert.deepEqual(await resolve(specs, ["g:a:1"], boms), [
    "g:a:1 compile@1",
    "g:x:1.1 compile@2",
    "g:y:2.2 compile@2",
  ]);
  assert.equal((await resolve(specs, ["g:a:1"], boms.reverse()))[1], "g:x:2.2 compile@2");
});

Deno.test("resolveDependencies() applies exclusions along their path only, with wildcards", async () => {
  const specs: PomSpec[] = [
    { id: "g:a:1", deps: [{ c: "g:b:1", exclusions: ["g:y"] }] },
    { id: "g:b:1", deps: ["g:y:1", "g:z:1", "other:w:1"] },
    { id: "g:d:1", deps: ["g:y:1"] },
    { id: "g:y:1" },
    { id: "g:z:1" },
    { id: "other:w:1" },
  ];
  assert.deepEqual(await resolve(specs, ["g:a:1"]), [
    "g:a:1 compile@1",
    "g:b:1 compile@2",
    "g:z:1 compile@3",
    "other:w:1 compile@3",
  ]);
  // The same artifact through another path is kept.
  assert.ok((await resolve(specs, ["g:a:1", "g:d:1"])).includes("g:y:1 compile@2"));
  const all = [request("g:a:1", { exclusions: [{ groupId: "*", artifactId: "*" }] })];
  assert.deepEqual(await resolve(specs, all), ["g:a:1 compile@1"]);
  const group = [request("g:b:1", { exclusions: [{ groupId: "g", artifactId: "*" }] })];
  assert.deepEqual(await resolve(specs, group), ["g:b:1 compile@1", "other:w:1 compile@2"]);
  const artifact = [request("g:b:1", { exclusions: [{ groupId: "*", artifactId: "z" }] })];
  assert.deepEqual(await resolve(specs, artifact), [
    "g:b:1 compile@1",
    "g:y:1 compile@2",
    "other:w:1 compile@2",
  ]);
});

Deno.test("resolveDependencies() does not pass optional dependencies on", async () => {
  const result = await resolve([
    { id: "g:a:1", deps: [{ c: "g:opt:1", optional: true }, "g:b:1"] },
    { id: "g:b:1" },
    { id: "g:opt:1" },
  ], ["g:a:1"]);
  assert.deepEqual(result, ["g:a:1 compile@1", "g:b:1 compile@2"]);
});

Deno.test("resolveDependencies() propagates scopes like Maven's table", async () => {
  const result = await resolve([
    {
      id: "g:comp:1",
      deps: [
        "g:cc:1",
        { c: "g:cr:1", scope: "runtime" },
        { c: "g:cp:1", scope: "provided" },
        { c: "g:ct:1", scope: "test" },
      ],
    },
    {
      id: "g:run:1",
      deps: [
        "g:rc:1",
        { c: "g:rr:1", scope: "runtime" },
        { c: "g:rp:1", scope: "provided" },
        { c: "g:rt:1", scope: "test" },
      ],
    },
    { id: "g:cc:1", deps: ["g:ccc:1"] },
    { id: "g:cr:1", deps: ["g:crc:1"] },
    ...["cp", "ct", "rc", "rr", "rp", "rt", "ccc", "crc"].map((a) => ({ id: `g:${a}:1` })),
  ], [request("g:comp:1"), request("g:run:1", { scope: "runtime" })]);
  assert.deepEqual(result, [
    "g:comp:1 compile@1",
    "g:run:1 runtime@1",
    "g:cc:1 compile@2",
    "g:cr:1 runtime@2",
    "g:rc:1 runtime@2",
    "g:rr:1 runtime@2",
    "g:ccc:1 compile@3",
    "g:crc:1 runtime@3",
  ]);
});

Deno.test("resolveDependencies() gives a mediated artifact the widest scope of its occurrences", async () => {
  const result = await resolve([
    { id: "g:run:1", deps: ["g:x:1"] },
    { id: "g:comp:1", deps: ["g:p:1"] },
    { id: "g:p:1", deps: ["g:x:2"] },
    { id: "g:x:1" },
    { id: "g:x:2" },
  ], [request("g:run:1", { scope: "runtime" }), request("g:comp:1")]);
  assert.deepEqual(result, [
    "g:run:1 runtime@1",
    "g:comp:1 compile@1",
    "g:x:1 compile@2",
    "g:p:1 compile@2",
  ]);
});

Deno.test("resolveDependencies() follows relocations, defaulting missing fields", async () => {
  const source = new MemoryPomSource([
    { id: "g:a:1", deps: ["old.group:lib:1"] },
    { id: "old.group:lib:1", relocation: { groupId: "new.group" } },
    { id: "new.group:lib:1", relocation: { artifactId: "lib-core", version: "1.1" } },
    { id: "new.group:lib-core:1.1", deps: ["g:z:1"] },
    { id: "g:z:1" },
  ]);
  const result = await resolveDependencies([request("g:a:1")], source);
  assert.deepEqual(summary(result), [
    "g:a:1 compile@1",
    "new.group:lib-core:1.1 compile@2",
    "g:z:1 compile@3",
  ]);
  assert.deepEqual(result[2].trail, ["g:a:1", "new.group:lib-core:1.1", "g:z:1"]);
});

Deno.test("resolveDependencies() picks the highest version a range allows from metadata", async () => {
  const specs: PomSpec[] = [
    { id: "g:a:1", deps: ["g:x:[1.0,2.0)"] },
    { id: "g:x:1.0" },
    { id: "g:x:1.5" },
    { id: "g:x:1.10" },
    { id: "g:x:2.0" },
  ];
  assert.deepEqual(await resolve(specs, ["g:a:1"]), ["g:a:1 compile@1", "g:x:1.10 compile@2"]);
  assert.deepEqual(await resolve(specs, ["g:x:(,1.5]"]), ["g:x:1.5 compile@1"]);
  await assert.rejects(() => resolve(specs, ["g:x:[3,4)"]), (error: Error) => {
    assert.ok(error instanceof ResolveError);
    assert.match(
      error.message,
      /no version of g:x matches \[3,4\) \(available: 1\.0, 1\.5, 1\.10, 2\.0\)/,
    );
    assert.equal(error.coordinates, "g:x:[3,4)");
    return true;
  });
});

Deno.test("resolveDependencies() cuts dependency cycles and reports their path", async () => {
  const cycles: string[][] = [];
  const result = await resolveDependencies(
    [request("g:a:1")],
    new MemoryPomSource([
      { id: "g:a:1", deps: ["g:b:1"] },
      { id: "g:b:1", deps: ["g:c:1"] },
      { id: "g:c:1", deps: ["g:a:2"] },
    ]),
    { onCycle: (trail) => cycles.push(trail) },
  );
  assert.deepEqual(summary(result), ["g:a:1 compile@1", "g:b:1 compile@2", "g:c:1 compile@3"]);
  assert.deepEqual(cycles, [["g:a:1", "g:b:1", "g:c:1", "g:a:2"]]);
});

Deno.test("resolveDependencies() names the trail and repository of a missing POM", async () => {
  const specs: PomSpec[] = [
    { id: "g:a:1", deps: ["g:b:1"] },
    { id: "g:b:1", deps: ["g:gone:3"] },
  ];
  await assert.rejects(() => resolve(specs, ["g:a:1"]), (error: Error) => {
    assert.ok(error instanceof ResolveError);
    assert.ok(error.message.includes("POM of g:gone:3 was not found"), error.message);
    assert.ok(error.message.includes("g:a:1 -> g:b:1 -> g:gone:3"), error.message);
    assert.ok(error.message.includes(MEMORY_REPOSITORY), error.message);
    assert.ok((error as ResolveError).hint);
    assert.equal((error as ResolveError).coordinates, "g:gone:3");
    return true;
  });
});

Deno.test("resolveDependencies() walks pom-type dependencies but returns only artifacts with files", async () => {
  const result = await resolve([
    { id: "g:a:1", deps: ["g:stack:pom:1"] },
    { id: "g:stack:1", packaging: "pom", deps: ["g:q:1"] },
    { id: "g:q:1" },
  ], ["g:a:1"]);
  assert.deepEqual(result, ["g:a:1 compile@1", "g:q:1 compile@3"]);
});

Deno.test("resolveDependencies() errors on an undefined property only where it is followed", async () => {
  const specs: PomSpec[] = [
    {
      id: "g:a:1",
      deps: ["g:b:${missing.version}", { c: "g:t:${also.missing}", scope: "test" }],
    },
  ];
  await assert.rejects(() => resolve(specs, ["g:a:1"]), (error: Error) => {
    assert.ok(error instanceof ResolveError);
    assert.match(
      error.message,
      /g:b:\$\{missing\.version\} declared by g:a:1 uses \$\{missing\.version\}/,
    );
    return true;
  });
});

Deno.test("resolveDependencies() fetches each POM once and keeps the order under concurrency", async () => {
  const specs: PomSpec[] = [{
    id: "g:root:1",
    deps: Array.from({ length: 30 }, (_, i) => `g:d${i}:1`),
  }];
  for (let i = 0; i < 30; i++) specs.push({ id: `g:d${i}:1`, deps: ["g:shared:1", `g:e${i}:1`] });
  for (let i = 0; i < 30; i++) specs.push({ id: `g:e${i}:1`, deps: ["g:shared:1"] });
  specs.push({ id: "g:shared:1" });
  const source = new MemoryPomSource(specs);
  const result = await resolveDependencies([request("g:root:1")], source, { concurrency: 3 });
  const names = result.map((a) => a.coordinates.artifactId);
  const expected = ["root", ...specs.slice(1, 31).map((s) => s.id.split(":")[1]), "shared"];
  expected.push(...Array.from({ length: 30 }, (_, i) => `e${i}`));
  assert.deepEqual(names, expected);
  assert.equal(new Set(source.fetched).size, source.fetched.length);
  assert.ok(result.every((a) => a.repository === MEMORY_REPOSITORY));
});

Deno.test("resolveDependencies() names the path of a malformed range", async () => {
  const specs: PomSpec[] = [{ id: "g:a:1", deps: ["g:x:[2.0,1.0]"] }];
  await assert.rejects(() => resolve(specs, ["g:a:1"]), (error: Error) => {
    assert.ok(error instanceof ResolveError);
    assert.match(
      error.message,
      /invalid version range "\[2\.0,1\.0\]".*needed by g:a:1 -> g:x:\[2\.0,1\.0\]/,
    );
    return true;
  });
});
