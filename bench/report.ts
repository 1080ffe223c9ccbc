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
  type BenchJson,
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

/** The bench files under `bench/`, in name order. */
async function benchFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(here)) {
    if (entry.isFile && entry.name.endsWith("_bench.ts")) {
      files.push(`bench/${entry.name}`);
    }
  }
  return files.sort();
}

/**
 * Runs each file in its own `deno bench` process and merges the results: in
 * one process, the heap and the feedback a file leaves behind (a 1 MB
 * payload bench, a dozen peers) slow the files after it, unevenly.
 */
async function benchAll(files: string[]): Promise<BenchJson> {
  let merged: BenchJson | undefined;
  for (const file of files) {
    console.error(`running deno bench ${file} …`);
    const json = parseBenchJson(
      await run(
        [
          "bench",
          "--json",
          "--allow-read",
          "--allow-env",
          "--allow-run",
          "--allow-net=127.0.0.1",
          "--allow-write",
          file,
        ],
        `deno bench ${file}`,
      ),
    );
    if (merged === undefined) merged = json;
    else merged.benches.push(...json.benches);
  }
  if (merged === undefined) throw new Error("no *_bench.ts file to run");
  return merged;
}

if (import.meta.main) {
  const json = await benchAll(
    Deno.args.length > 0 ? Deno.args : await benchFiles(),
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
