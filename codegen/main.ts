/**
 * The norpc code generator's command line. Run `--help` for usage.
 *
 * ```sh
 * deno run --allow-read --allow-write jsr:@norpc/norpc/codegen service.ts
 * ```
 *
 * @module
 */

// Before the compiler loads: it must load without env permission.
import "./_env_guard.ts";
import { formatDiagnostic, generate } from "./generate.ts";
import { DEFAULT_RUNTIME } from "./emit.ts";
import { defaultOutFileName, isServiceDefinition } from "./parse.ts";
import {
  basename,
  dirname,
  isAbsolute,
  join,
  relative,
  resolve,
} from "./path.ts";
import "./_env_restore.ts";

/** The usage text printed by `--help` and after a usage error. */
export const USAGE =
  `Usage: deno run --allow-read --allow-write jsr:@norpc/norpc/codegen [options] <file|dir>...

Generates, for each exported interface whose members are methods, a typed
client (NameClient), a handler interface (NameHandler), a server
(nameServer) and the request/response types, into <name>.gen.ts.

Files are generated whatever they contain. Directories are searched
recursively for service definitions: .ts files (not .gen.ts, _test.ts,
_bench.ts or .d.ts) that export an interface with a method and hold only
imports, exports and type declarations.

Options:
  --out <dir>          write <name>.gen.ts into <dir> (default: beside each input)
  --check              write nothing; exit 1 and list generated files that are
                       missing or stale
  --watch              after generating, regenerate each input when it
                       changes (one status line per file) until Ctrl-C
  --runtime <spec>     import the runtime from <spec> (default: ${DEFAULT_RUNTIME})
  --interface <Name>   generate only this interface (repeatable; one input file)
  -h, --help           show this help

Exit status: 0 done, 1 errors in the input or stale files, 2 usage error.
`;

/** Parsed command-line options. */
interface Options {
  out?: string;
  check: boolean;
  watch: boolean;
  runtime: string;
  interfaces: string[];
  help: boolean;
  inputs: string[];
}

class UsageError extends Error {}

function parseArgs(args: readonly string[]): Options {
  const options: Options = {
    check: false,
    watch: false,
    runtime: DEFAULT_RUNTIME,
    interfaces: [],
    help: false,
    inputs: [],
  };
  let i = 0;
  const value = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) {
      if (inline === "") throw new UsageError(`${flag} needs a value`);
      return inline;
    }
    const next = args[++i];
    if (next === undefined || next.startsWith("-")) {
      throw new UsageError(`${flag} needs a value`);
    }
    return next;
  };
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      options.inputs.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      options.inputs.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const noValue = () => {
      if (inline !== undefined) {
        throw new UsageError(`${flag} takes no value`);
      }
    };
    switch (flag) {
      case "--out":
        options.out = value(flag, inline);
        break;
      case "--runtime":
        options.runtime = value(flag, inline);
        break;
      case "--interface":
        options.interfaces.push(value(flag, inline));
        break;
      case "--check":
        noValue();
        options.check = true;
        break;
      case "--watch":
        noValue();
        options.watch = true;
        break;
      case "-h":
      case "--help":
        noValue();
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (options.help) return options;
  if (options.inputs.length === 0) {
    throw new UsageError("no input files");
  }
  if (options.watch && options.check) {
    throw new UsageError("--watch and --check cannot be combined");
  }
  if (options.interfaces.length > 0 && options.inputs.length !== 1) {
    throw new UsageError("--interface needs exactly one input file");
  }
  return options;
}

function isCandidate(name: string): boolean {
  return name.endsWith(".ts") && !name.endsWith(".gen.ts") &&
    !name.endsWith(".d.ts") && !name.endsWith("_test.ts") &&
    !name.endsWith("_bench.ts");
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      await walk(path, out);
    } else if (entry.isFile && isCandidate(entry.name)) {
      const text = await Deno.readTextFile(path);
      if (isServiceDefinition(text, path)) out.push(path);
    }
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What generating one input came to. */
type FileOutcome =
  | { readonly kind: "written" | "unchanged" | "stale" | "missing" }
  | { readonly kind: "failed"; readonly errors: number };

/** Where the generated file for `file` goes. */
function outFileFor(file: string, options: Options): string {
  return options.out === undefined
    ? defaultOutFileName(file)
    : join(options.out, basename(defaultOutFileName(file)));
}

/**
 * Generates one input: prints its diagnostics, and writes its output unless
 * checking or unchanged.
 */
async function generateFile(
  file: string,
  outFile: string,
  options: Options,
  cwd: string,
): Promise<FileOutcome> {
  const source = await Deno.readTextFile(file);
  // Both paths must be relative to the same directory (or absolute) for the
  // generated file's relative imports to come out right.
  const mixed = isAbsolute(file) !== isAbsolute(outFile);
  const result = generate(source, {
    fileName: mixed ? resolve(cwd, file) : file,
    outFileName: mixed ? resolve(cwd, outFile) : outFile,
    interfaces: options.interfaces.length > 0 ? options.interfaces : undefined,
    runtime: options.runtime,
  });
  if (result.code === undefined) {
    for (const d of result.diagnostics) console.error(formatDiagnostic(d));
    return { kind: "failed", errors: result.diagnostics.length };
  }
  const current = await readIfExists(outFile);
  if (current === result.code) return { kind: "unchanged" };
  if (options.check) {
    return { kind: current === undefined ? "missing" : "stale" };
  }
  if (options.out !== undefined) {
    await Deno.mkdir(options.out, { recursive: true });
  }
  await Deno.writeTextFile(outFile, result.code);
  return { kind: "written" };
}

/** Options of {@linkcode main}. */
export interface MainOptions {
  /** Stops `--watch` (the command line runs until interrupted). */
  readonly signal?: AbortSignal;
}

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @param mainOptions A signal that ends `--watch`.
 * @returns The exit status: 0 done, 1 input errors or stale files, 2 usage.
 */
export async function main(
  args: readonly string[],
  mainOptions: MainOptions = {},
): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const cwd = Deno.cwd();
  const files: string[] = [];
  for (const input of options.inputs) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(input);
    } catch (err) {
      console.error(
        `${input}: error: cannot read: ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
      return 1;
    }
    if (info.isDirectory) await walk(input, files);
    else files.push(input);
  }

  let failed = false;
  const outputs = new Map<string, string>();
  const written: string[] = [];
  const stale: string[] = [];
  let unchanged = 0;
  for (const file of files) {
    const outFile = outFileFor(file, options);
    const outKey = resolve(cwd, outFile);
    const other = outputs.get(outKey);
    if (other !== undefined) {
      console.error(
        `${file}:1:1: error: ${other} and ${file} would both be generated into ${outFile}\n  hint: rename one of them, or generate them into different --out directories`,
      );
      failed = true;
      continue;
    }
    outputs.set(outKey, file);
    const outcome = await generateFile(file, outFile, options, cwd);
    switch (outcome.kind) {
      case "failed":
        failed = true;
        break;
      case "unchanged":
        unchanged++;
        break;
      case "missing":
      case "stale":
        stale.push(`${outFile} (${outcome.kind})`);
        break;
      case "written":
        written.push(outFile);
    }
  }

  if (options.check) {
    if (stale.length > 0) {
      console.error(
        `norpc: ${
          plural(stale.length, "generated file")
        } out of date (run the generator to update):\n${
          stale.map((s) => `  ${s}`).join("\n")
        }`,
      );
    } else if (!failed) {
      console.log(
        `norpc: ${plural(unchanged, "generated file")} up to date`,
      );
    }
    return failed || stale.length > 0 ? 1 : 0;
  }
  console.log(
    `norpc: wrote ${plural(written.length, "file")}${
      written.length ? ` (${written.join(", ")})` : ""
    }, ${unchanged} unchanged${failed ? ", with errors" : ""}`,
  );
  if (options.watch) {
    await watch(options, cwd, mainOptions.signal);
    return 0;
  }
  return failed ? 1 : 0;
}

/** How long a burst of file events must be quiet before regenerating. */
const SETTLE_MS = 50;

/**
 * Regenerates inputs as they change, printing one status line per file,
 * until `signal` aborts. Watches directories, not files, so that editors
 * that save by replacing a file are followed too.
 */
async function watch(
  options: Options,
  cwd: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const explicit = new Map<string, string>(); // absolute path -> as given
  const dirs = new Set<string>();
  const watched: string[] = [];
  for (const input of options.inputs) {
    const info = await Deno.stat(input);
    if (info.isDirectory) {
      dirs.add(resolve(cwd, input));
      watched.push(input);
    } else {
      explicit.set(resolve(cwd, input), input);
      watched.push(dirname(input));
    }
  }
  const watcher = Deno.watchFs([...new Set(watched)], { recursive: true });
  const stop = () => watcher.close();
  signal?.addEventListener("abort", stop, { once: true });
  console.log(
    `norpc: watching ${options.inputs.join(", ")} (Ctrl-C to stop)`,
  );
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = Promise.resolve();
  const flush = () => {
    timer = undefined;
    const batch = [...pending].sort();
    pending.clear();
    running = running.then(() => regenerate(batch, options, cwd));
  };
  try {
    for await (const event of watcher) {
      if (event.kind === "access") continue;
      for (const path of event.paths) {
        const input = inputFor(path, explicit, dirs, cwd);
        if (input !== undefined) pending.add(input);
      }
      if (pending.size > 0) {
        clearTimeout(timer);
        timer = setTimeout(flush, SETTLE_MS);
      }
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", stop);
    await running;
  }
}

/** The input a changed path is, as given or relative to `cwd`, if any. */
function inputFor(
  path: string,
  explicit: ReadonlyMap<string, string>,
  dirs: ReadonlySet<string>,
  cwd: string,
): string | undefined {
  const absolute = resolve(cwd, path);
  const given = explicit.get(absolute);
  if (given !== undefined) return given;
  if (!isCandidate(basename(absolute))) return undefined;
  for (const dir of dirs) {
    if (absolute.startsWith(dir + "/")) return relative(cwd, absolute);
  }
  return undefined;
}

/** Regenerates changed inputs, one status line each. */
async function regenerate(
  files: readonly string[],
  options: Options,
  cwd: string,
): Promise<void> {
  for (const file of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      continue; // deleted or renamed away: nothing to generate
    }
    // In a directory walk, only service definitions are inputs.
    if (!options.inputs.includes(file) && !isServiceDefinition(text, file)) {
      continue;
    }
    const outFile = outFileFor(file, options);
    const outcome = await generateFile(file, outFile, options, cwd);
    const time = new Date().toTimeString().slice(0, 8);
    console.log(
      outcome.kind === "failed"
        ? `${time} ${file}: ${
          plural(outcome.errors, "error")
        }, ${outFile} not updated`
        : `${time} ${file}: ${
          outcome.kind === "written" ? "wrote" : "unchanged"
        } ${outFile}`,
    );
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
