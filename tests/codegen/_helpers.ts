/**
 * Helpers shared by the codegen tests that run `deno` itself (`deno fmt`,
 * `deno check`, the CLI) as a subprocess.
 *
 * @module
 */

/** The repository root, as a `file:` URL ending in `/`. */
export const REPO: URL = new URL("../../", import.meta.url);

/** What a `deno` subprocess printed and how it exited. */
export interface DenoOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the `deno` that runs the tests (`Deno.execPath()`) with `args` in
 * `cwd`, colours off so output can be matched, and collects its output.
 *
 * @param args The command line after `deno`.
 * @param cwd The working directory (default: the test's).
 * @returns The exit code and the decoded stdout and stderr.
 */
export async function deno(
  args: string[],
  cwd?: string,
): Promise<DenoOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}
