/**
 * `deno task bench:report`: runs the bench suite with `--json` and
 * `bench/memory.ts`, then writes `bench/RESULTS.md` and `bench/chart.svg`.
 * The rendering lives in `report_render.ts`.
 *
 * Usage: `deno run --allow-read --allow-write=bench --allow-run --allow-env
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
  renderSvg,
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
  const markdown = renderMarkdown(json, machine(json.cpu), memory);
  await Deno.writeTextFile(new URL("RESULTS.md", here), markdown);
  await Deno.writeTextFile(new URL("chart.svg", here), renderSvg(json));
  // `deno fmt` formats SVG too: keep the generated chart `fmt --check` clean.
  await run(["fmt", "--quiet", "bench/chart.svg"], "deno fmt bench/chart.svg");
  console.error("wrote bench/RESULTS.md and bench/chart.svg");
  const targets = markdown.slice(
    markdown.indexOf("## Targets"),
    markdown.indexOf("![") - 1,
  );
  console.log(targets);
}
