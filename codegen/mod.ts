/**
 * The norpc code generator as a library. {@linkcode generate} turns a
 * TypeScript file with service interfaces into a generated module: for each
 * interface `Name`, a `NameRequest` union, a `NameResponses` map, a typed
 * `NameClient`, a `NameHandler` interface to implement and a `nameServer`
 * function that serves an implementation. It is pure (no file system), so it
 * can be embedded and tested; the command line lives in `codegen/main.ts`.
 *
 * Run as a program, this module is that command line:
 * `deno run --allow-read --allow-write jsr:@norpc/norpc/codegen --help`.
 *
 * @example Generating code in memory
 * ```ts
 * import { generate } from "@norpc/norpc/codegen";
 *
 * const { code, diagnostics } = generate(
 *   "export interface HelloWorld { hello(name: string): string; }",
 *   { fileName: "hello_world.ts" },
 * );
 * if (code === undefined) throw new Error(diagnostics[0].message);
 * console.log(code);
 * ```
 *
 * @module
 */

// Before the compiler loads: it must load without env permission.
import "./_env_guard.ts";
export type { Diagnostic } from "./diagnostic.ts";
export {
  formatDiagnostic,
  generate,
  type GenerateOptions,
  type GenerateResult,
} from "./generate.ts";
import "./_env_restore.ts";

if (import.meta.main) {
  import("./main.ts").then(({ main }) => main(Deno.args)).then((code) =>
    Deno.exit(code)
  );
}
