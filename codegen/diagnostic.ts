/**
 * The diagnostic type shared by the parser, the generator and the CLI.
 *
 * @module
 */

/**
 * A problem in the input, located at `file:line:column`, with a hint on how
 * to fix it.
 *
 * @example
 * ```ts
 * import { type Diagnostic, generate } from "@norpc/norpc/codegen";
 * import assert from "node:assert/strict";
 *
 * const result = generate("export interface A { x: number }", {
 *   fileName: "a.ts",
 * });
 * const first: Diagnostic = result.diagnostics[0];
 * assert.deepEqual([first.code, first.line, first.column], ["no-service", 1, 18]);
 * ```
 */
export interface Diagnostic {
  /** The input file name, as given. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** A stable identifier of the kind of problem, e.g. `overload`. */
  readonly code: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}
