/**
 * dbt-style `profiles.yml`: where it is, and which adapter types its outputs use. Every
 * output's `type` across all profiles and targets counts, since any target may be run.
 *
 * @module
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, InputError } from "../errors.ts";
import { readYamlFile } from "../util/yaml_file.ts";
import { isFile } from "../util/path_kind.ts";

/** One output using an adapter. */
export interface ProfileOutput {
  profile: string;
  target: string;
  type: string;
}

/** The profiles file candidates, in the order they are tried. */
export function profileCandidates(
  explicit: string | undefined,
  fromProject: string | undefined,
  cwd: string,
  readEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string[] {
  if (explicit) return [resolve(cwd, explicit)];
  if (fromProject) return [fromProject];
  const candidates = [resolve(cwd, "profiles.yml")];
  const dbtDir = readEnv("DBT_PROFILES_DIR");
  if (dbtDir) candidates.push(resolve(cwd, dbtDir, "profiles.yml"));
  candidates.push(join(homedir(), ".dbt", "profiles.yml"));
  return candidates;
}

/** The first candidate that exists; otherwise an InputError (exit 2) listing where it looked. */
export async function findProfiles(candidates: readonly string[]): Promise<string> {
  for (const candidate of candidates) {
    if (await isFile(candidate)) return candidate;
  }
  throw new InputError(`profiles.yml not found; looked in: ${candidates.join(", ")}`, {
    hint: "pass --profiles FILE, set sync.profiles in dvt.yaml, or create ./profiles.yml",
  });
}

/** Reads every output's adapter type. Outputs without a string `type` are ConfigErrors. */
export async function readProfileOutputs(path: string): Promise<ProfileOutput[]> {
  const file = await readYamlFile(path, ConfigError);
  const root = file.value;
  const fail = (at: (string | number)[], message: string) =>
    new ConfigError(message, {
      location: file.locate(at),
      hint: "each profile needs outputs: { <target>: { type: <adapter>, ... } }",
    });
  if (!isRecord(root)) throw fail([], "expected a mapping of profile names");
  const outputs: ProfileOutput[] = [];
  for (const [profile, body] of Object.entries(root)) {
    if (profile === "config") continue; // dbt's global settings block, not a profile
    if (!isRecord(body)) throw fail([profile], `profile "${profile}" must be a mapping`);
    if (!isRecord(body.outputs)) throw fail([profile, "outputs"], "expected a mapping of targets");
    for (const [target, output] of Object.entries(body.outputs)) {
      const at = [profile, "outputs", target];
      if (!isRecord(output) || typeof output.type !== "string" || !output.type.trim()) {
        throw fail([...at, "type"], `target "${target}" has no adapter type`);
      }
      outputs.push({ profile, target, type: output.type.trim().toLowerCase() });
    }
  }
  return outputs;
}

/** Distinct adapter types in first-seen order. */
export function adapterTypes(outputs: readonly ProfileOutput[]): string[] {
  return [...new Set(outputs.map((output) => output.type))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
