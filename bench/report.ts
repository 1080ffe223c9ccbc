/**
 * `deno task bench:report`: runs the bench suite with `--json` and
 * `bench/memory.ts`, then writes `bench/RESULTS.md`, `bench/chart.svg` and
 * the benchmark summary between the markers in `README.md`.
 * The rendering lives in `report_render.ts`.
 *
 * Usage: `deno run --allow-read --allow-write=bench,README.md --allow-run --allow-env
 * --allow-sys bench/report.ts [bench files…]` (default: every bench in
 * `bench/`).
 *
 * @module
 */
import {
  type Machine,
  type MemoryResult,
  parseBenchJson,
  renderMarkdown,
  renderReadmeSummary,
  renderSvg,
  spliceReadme,
} from "./report_render.ts";

const here = new URL(".", import.meta.url);
const root = new URL("..", here);

async function run(args: string[], what: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  if (code !== 0) {
    throw new Error(`${what} failed (exit ${code}):\n${err}`);
  }
  return new TextDecoder().decode(stdout);
}

function machine(cpu: string): Machine {
  let os = `${Deno.build.os} ${Deno.build.arch}`;
  let memoryBytes: number | undefined;
  try {
    os = `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`;
    memoryBytes = Deno.systemMemoryInfo().total;
  } catch {
    // --allow-sys not granted: keep the coarse description.
  }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    os,
    memoryBytes,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    date: new Date().toISOString().slice(0, 10),
  };
}

if (import.meta.main) {
  const files = Deno.args.length > 0 ? Deno.args : ["bench/"];
  console.error(`running deno bench on ${files.join(" ")} …`);
  const json = parseBenchJson(
    await run(
      [
        "bench",
        "--json",
        "--allow-read",
        "--allow-env",
        "--allow-run",
        ...files,
      ],
      "deno bench",
    ),
  );
  console.error("running bench/memory.ts …");
  const memory = JSON.parse(
    await run(
      ["run", "--v8-flags=--expose-gc", "bench/memory.ts", "--json"],
      "bench/memory.ts",
    ),
  ) as MemoryResult[];
  const host = machine(json.cpu);
  const markdown = renderMarkdown(json, host, memory);
  await Deno.writeTextFile(new URL("RESULTS.md", here), markdown);
  await Deno.writeTextFile(new URL("chart.svg", here), renderSvg(json));
  const readme = new URL("README.md", root);
  await Deno.writeTextFile(
    readme,
    spliceReadme(
      await Deno.readTextFile(readme),
      renderReadmeSummary(json, host),
    ),
  );
  // `deno fmt` formats SVG and Markdown too: keep both `fmt --check` clean.
  await run(
    ["fmt", "--quiet", "bench/chart.svg", "README.md"],
    "deno fmt bench/chart.svg README.md",
  );
  console.error("wrote bench/RESULTS.md, bench/chart.svg and README.md");
  const targets = markdown.slice(
    markdown.indexOf("## Targets"),
    markdown.indexOf("![") - 1,
  );
  console.log(targets);
}
