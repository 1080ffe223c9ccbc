/**
 * The README's Quick start and Walkthrough, run as a new user would: in an
 * empty folder outside this repository, with only the package mapped.
 *
 * The README marks what to run with HTML comments before a code block:
 * `<!-- readme-test: <folder> file <name> -->` writes the block to `<name>`,
 * `<!-- readme-test: <folder> run -->` runs each command line of the block
 * there, and the `# …` lines after a command are its expected output. Each
 * folder starts empty, outside the repository.
 *
 * JSR is out of reach here, so two commands are stood in for, and only
 * these: `deno add jsr:@norpc/norpc` writes the `deno.json` it would write,
 * with `@norpc/norpc` (and its `/layers` and `/codegen` entry points) mapped
 * to this checkout; and `jsr:@norpc/norpc/codegen` in a command runs this
 * checkout's `codegen/mod.ts` (the package's `./codegen` export). The map
 * also names `typescript`, as the published package's import map would.
 *
 * @module
 */

import assert from "node:assert/strict";

const REPO = new URL("../", import.meta.url);
const README = new URL("README.md", REPO);
const MARKER = /^<!-- readme-test: (\S+) (file (\S+)|run) -->$/;

/** One marked code block of the README. */
interface Step {
  readonly folder: string;
  readonly kind: "file" | "run";
  readonly name?: string;
  readonly body: string;
  readonly line: number;
}

/** The marked blocks, in README order. */
function steps(readme: string): Step[] {
  const lines = readme.split("\n");
  const out: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (lines[j] === "") j++;
    assert.match(lines[j], /^```/, `README.md:${j + 1}: a block must follow`);
    const start = j + 1;
    let end = start;
    while (!lines[end].startsWith("```")) end++;
    out.push({
      folder: m[1],
      kind: m[2] === "run" ? "run" : "file",
      name: m[3],
      body: lines.slice(start, end).join("\n") + "\n",
      line: i + 1,
    });
    i = end;
  }
  return out;
}

/** The `deno.json` that `deno add jsr:@norpc/norpc` stands for. */
function denoJson(): string {
  const local = (path: string) => new URL(path, REPO).href;
  return JSON.stringify(
    {
      imports: {
        "@norpc/norpc": local("mod.ts"),
        "@norpc/norpc/layers": local("layers/mod.ts"),
        "@norpc/norpc/codegen": local("codegen/mod.ts"),
        "typescript": "npm:typescript@5.9.3",
      },
    },
    null,
    2,
  ) + "\n";
}

/** Each command of a `run` block, with the output lines it documents. */
function commands(body: string): { command: string; expected: string[] }[] {
  const out: { command: string; expected: string[] }[] = [];
  for (const line of body.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# ")) {
      assert.ok(out.length > 0, `output before any command: ${line}`);
      out[out.length - 1].expected.push(line.slice(2));
    } else {
      out.push({ command: line, expected: [] });
    }
  }
  return out;
}

async function run(command: string, cwd: string): Promise<string> {
  const words = command.split(/\s+/);
  assert.equal(words[0], "deno", `only deno commands: ${command}`);
  const args = words.slice(1).map((w) =>
    w === "jsr:@norpc/norpc/codegen"
      ? new URL("codegen/mod.ts", REPO).pathname
      : w
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${command} exited ${out.code}:\n${stderr}`);
  return stdout;
}

/** Runs every step of one README folder in a fresh temp folder. */
async function runFolder(folder: string, all: Step[]): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: `norpc_readme_${folder}_` });
  try {
    assert.ok(
      !dir.startsWith(new URL(".", REPO).pathname),
      "the folder must be outside the repository",
    );
    for (const step of all.filter((s) => s.folder === folder)) {
      if (step.kind === "file") {
        await Deno.writeTextFile(`${dir}/${step.name}`, step.body);
        continue;
      }
      for (const { command, expected } of commands(step.body)) {
        if (command === "deno add jsr:@norpc/norpc") {
          await Deno.writeTextFile(`${dir}/deno.json`, denoJson());
          continue;
        }
        const stdout = await run(command, dir);
        assert.deepEqual(
          stdout.trimEnd().split("\n"),
          expected,
          `README.md:${step.line}: ${command}`,
        );
      }
    }
    // What `deno run` does not do: type-check every program the user wrote.
    const programs = all.filter((s) =>
      s.folder === folder && s.kind === "file" && s.name !== undefined &&
      s.name.endsWith(".ts")
    ).map((s) => s.name!);
    await run(`deno check ${programs.join(" ")}`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const readme = await Deno.readTextFile(README);
const all = steps(readme);

Deno.test("README Quick start runs as written in an empty folder", async () => {
  const quick = all.filter((s) => s.folder === "quickstart");
  assert.deepEqual(
    quick.filter((s) => s.kind === "file").map((s) => s.name),
    ["hello_world.ts", "main.ts", "layers.ts"],
  );
  // The first step is the install, before any file is written.
  assert.equal(quick[0].body, "deno add jsr:@norpc/norpc\n");
  await runFolder("quickstart", all);
});

Deno.test("README Walkthrough runs as written in an empty folder", async () => {
  await runFolder("walkthrough", [
    {
      folder: "walkthrough",
      kind: "run",
      body: "deno add jsr:@norpc/norpc\n",
      line: 0,
    },
    ...all.filter((s) => s.folder === "walkthrough"),
  ]);
});

Deno.test("README Walkthrough shows examples/walkthrough/ as it is", async () => {
  const files = all.filter((s) =>
    s.folder === "walkthrough" && s.kind === "file"
  );
  assert.deepEqual(files.map((s) => s.name), ["services.ts", "main.ts"]);
  for (const file of files) {
    assert.equal(
      file.body,
      await Deno.readTextFile(
        new URL(`examples/walkthrough/${file.name}`, REPO),
      ),
      `README.md:${file.line} differs from examples/walkthrough/${file.name}`,
    );
  }
});

Deno.test("README tables have no cell over 100 characters (no scrolling)", () => {
  const wide: string[] = [];
  readme.split("\n").forEach((line, i) => {
    if (!line.startsWith("|")) return;
    for (const cell of line.split("|").slice(1, -1)) {
      if (cell.trim().length > 100) {
        wide.push(`README.md:${i + 1}: ${cell.trim()}`);
      }
    }
  });
  assert.deepEqual(wide, []);
});
