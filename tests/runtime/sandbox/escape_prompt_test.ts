/**
 * Escape suite: permission prompts. On a terminal Deno asks "Allow? [y/n/A]" for a denied
 * permission unless prompting is off; dvt turns it off in every deno.json task and, when run
 * any other way on a terminal, in the code path itself. Checked on a real pseudo-terminal,
 * answering "y" as a user might.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_PATH, REPO_ROOT, tempDir } from "../../_helpers.ts";
import { probeProject } from "./_probe.ts";

const ON_TERMINAL = fileURLToPath(
  new URL("../../fixtures/sandbox/on_terminal.py", import.meta.url),
);
const SECRET = "prompted-secret-31f9";

Deno.test("dvt never prompts on a terminal, even run without --no-prompt", async () => {
  await using outside = await tempDir();
  const secretFile = join(outside.path, "notes.txt");
  await Deno.writeTextFile(secretFile, SECRET);
  await using project = await probeProject({
    attack: `ctx.log.info("read " + Deno.readTextFileSync(${JSON.stringify(secretFile)}));
      ctx.log.info("env " + Deno.env.get("PROMPT_SECRET"));
      yield rows([4, 5, 6]);`,
  });
  // As a user would run it by hand: -A without --no-prompt.
  const output = await new Deno.Command("python3", {
    args: [
      ON_TERMINAL,
      Deno.execPath(),
      "run",
      "--allow-all",
      "--unstable-worker-options",
      CLI_PATH,
      "extract",
      "--connector",
      "./connectors/probe",
      "--out",
      project.out,
      "--set",
      "mode=evil",
    ],
    cwd: project.dir,
    env: { NO_COLOR: "1", PROMPT_SECRET: SECRET },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const shown = new TextDecoder().decode(output.stdout);
  assert.doesNotMatch(shown, /Allow\?|Deno requests/, shown);
  assert.ok(!shown.includes(SECRET), shown);
  assert.equal(output.code, 1, shown);
  assert.match(shown, /connector probe tried to read the file/);
});

Deno.test("every deno.json task that runs code passes --no-prompt", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const running = Object.entries(config.tasks as Record<string, string>)
    .filter(([, command]) => /\bdeno (run|test|compile|install)\b/.test(command));
  assert.ok(running.some(([name]) => name === "compile"), "the compile task is covered");
  for (const [name, command] of running) {
    assert.match(command, /--no-prompt/, `task ${name}`);
  }
  const shebang = (await Deno.readTextFile(CLI_PATH)).split("\n")[0];
  assert.match(shebang, /--no-prompt/);
});
