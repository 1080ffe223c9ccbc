/**
 * The implementation of {@linkcode generate}: parse, check names, emit.
 *
 * @module
 */

import {
  declaredNames,
  DEFAULT_RUNTIME,
  emit,
  HEADER,
  serviceNames,
} from "./emit.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { EXTRA_FILE_NAMES, extraNames } from "./emit_extras.ts";
import { unresolvedNames } from "./names.ts";
import { defaultOutFileName, parse } from "./parse.ts";

/**
 * Options of {@linkcode generate}.
 *
 * @example
 * ```ts
 * import type { GenerateOptions } from "@norpc/norpc/codegen";
 *
 * const options: GenerateOptions = {
 *   fileName: "src/services/hello_world.ts",
 *   outFileName: "src/gen/hello_world.gen.ts",
 *   interfaces: ["HelloWorld"],
 *   runtime: "jsr:@norpc/norpc",
 * };
 * ```
 */
export interface GenerateOptions {
  /**
   * The input's path. It appears in diagnostics and, with `outFileName`,
   * determines the relative specifier the generated file imports the input
   * (and the input's relative imports) with.
   */
  readonly fileName: string;
  /**
   * Generate only these interfaces. By default every exported interface that
   * declares at least one method is a service; exported interfaces without
   * methods are taken for data types and skipped.
   */
  readonly interfaces?: readonly string[];
  /** Where the generated file goes (default: beside the input, `<name>.gen.ts`). */
  readonly outFileName?: string;
  /** The module the generated code imports the runtime from (default `@norpc/norpc`). */
  readonly runtime?: string;
}

/**
 * The result of {@linkcode generate}.
 *
 * @example
 * ```ts
 * import { generate, type GenerateResult } from "@norpc/norpc/codegen";
 * import assert from "node:assert/strict";
 *
 * const result: GenerateResult = generate("export interface A {}", { fileName: "a.ts" });
 * assert.equal(result.code, undefined); // see result.diagnostics
 * ```
 */
export interface GenerateResult {
  /** The generated file's text, or `undefined` when there are diagnostics. */
  readonly code: string | undefined;
  /** Problems in the input, each with a location and a hint. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Generates the typed client, handler interface and server for the service
 * interfaces of a TypeScript source file.
 *
 * Supported: exported interfaces whose members are methods, with parameters
 * of any type (optional ones too) and results `T` or `Promise<T>` (a call
 * resolves to what awaiting the result gives: `T | Promise<T>` is `T`).
 * Generic interfaces or methods, overloads, properties, index signatures,
 * rest parameters, repeated parameter names, a required parameter after an
 * optional one and method names the generated code reserves (`call`, `then`,
 * …) are reported as diagnostics instead, and so are type names that resolve
 * to nothing (neither declared, imported nor global: a misspelled `Strin`)
 * and generated files (`.gen.ts`) given as input.
 *
 * @param sourceText The input file's text.
 * @param options The input's name, and optionally the output's name, the
 *   interfaces to generate and the runtime specifier.
 * @returns The generated code, or diagnostics.
 *
 * @example
 * ```ts
 * import { formatDiagnostic, generate } from "@norpc/norpc/codegen";
 * import assert from "node:assert/strict";
 *
 * const result = generate(
 *   `export interface Counter {
 *     /** Adds to the counter. *\/
 *     add(n: number): Promise<number>;
 *   }`,
 *   { fileName: "counter.ts" },
 * );
 * for (const d of result.diagnostics) console.error(formatDiagnostic(d));
 * assert.ok(result.code?.includes("export class CounterClient"));
 * ```
 */
export function generate(
  sourceText: string,
  options: GenerateOptions,
): GenerateResult {
  const runtime = options.runtime ?? DEFAULT_RUNTIME;
  const generated = generatedInput(sourceText, options.fileName);
  if (generated) return { code: undefined, diagnostics: [generated] };
  const parsed = parse(sourceText, options);
  if (!parsed.model) {
    return { code: undefined, diagnostics: parsed.diagnostics };
  }
  const model = parsed.model;
  const sf = parsed.sourceFile;
  const diagnostics: Diagnostic[] = [];
  const locate = (pos: number) => {
    const lc = sf.getLineAndCharacterOfPosition(pos);
    return {
      file: options.fileName,
      line: lc.line + 1,
      column: lc.character + 1,
    };
  };

  // A type imported in the input from the runtime itself is imported already.
  const imports = model.imports.filter((imp) =>
    !(imp.specifier === runtime && imp.kind === "named" &&
      imp.imported === imp.local &&
      (imp.local === "CallOptions" || imp.local === "Service"))
  );
  const fromRuntime = new Set(
    model.imports.filter((imp) => !imports.includes(imp)).map((i) => i.local),
  );

  const declared = declaredNames(model.services);
  for (const name of EXTRA_FILE_NAMES) declared.set(name, "the generated file");
  for (const service of model.services) {
    for (const name of generatedNames(service.name)) {
      if (!declared.has(name)) declared.set(name, `service ${service.name}`);
    }
  }
  for (const [name, node] of model.referencedNames) {
    const owner = declared.get(name);
    if (owner === undefined || fromRuntime.has(name)) continue;
    diagnostics.push({
      ...locate(node.getStart(sf)),
      code: "name-clash",
      message:
        `the type \`${name}\` has the same name as a declaration of ${owner} in the generated file`,
      hint:
        `rename \`${name}\`, or import it under another name (\`import type { ${name} as Other${name} } …\`)`,
    });
  }
  const seen = new Map<string, string>();
  for (const service of model.services) {
    for (const generated of generatedNames(service.name)) {
      const other = seen.get(generated);
      if (other !== undefined && other !== service.name) {
        const decl = sf.statements.find((st) =>
          "name" in st &&
          (st.name as { text?: string } | undefined)?.text === service.name
        );
        diagnostics.push({
          ...locate(decl ? decl.getStart(sf) : 0),
          code: "name-clash",
          message:
            `interfaces \`${other}\` and \`${service.name}\` both generate \`${generated}\``,
          hint: "rename one of the interfaces",
        });
      }
      seen.set(generated, service.name);
    }
  }
  diagnostics.push(
    ...unresolvedNames(sourceText, options.fileName, model.referencedNames),
  );
  if (diagnostics.length > 0) return { code: undefined, diagnostics };
  return { code: emit({ ...model, imports }, { runtime }), diagnostics: [] };
}

/** Every name generated for the interface `name`. */
function generatedNames(name: string): string[] {
  const base = serviceNames(name);
  return [
    ...Object.values(base),
    ...Object.values(extraNames(name, base.server)),
  ];
}

/**
 * A generated file given as input: generating from it would copy the copy
 * (`bank.gen.gen.ts` with a `BankHandlerClient`), so it is refused, pointing
 * at the source it came from.
 */
function generatedInput(
  sourceText: string,
  fileName: string,
): Diagnostic | undefined {
  const named = fileName.endsWith(".gen.ts");
  if (!named && !sourceText.startsWith(HEADER)) return undefined;
  const source = named ? fileName.slice(0, -".gen.ts".length) + ".ts" : "";
  return {
    file: fileName,
    line: 1,
    column: 1,
    code: "generated-input",
    message: named
      ? "this is a generated file (`.gen.ts`), not a service definition"
      : "this file was generated by norpc, not written as a service definition",
    hint: named
      ? `generate from the interface file instead: \`${source}\` (it writes \`${
        defaultOutFileName(source)
      }\`)`
      : "generate from the interface file it was generated from (its `// Source:` line)",
  };
}

/**
 * Formats a diagnostic the way the command line prints it:
 * `file:line:col: error: message`, then an indented `hint:` line.
 *
 * @param diagnostic The diagnostic.
 * @returns Two lines of text.
 *
 * @example
 * ```ts
 * import { formatDiagnostic, generate } from "@norpc/norpc/codegen";
 * import assert from "node:assert/strict";
 *
 * const { diagnostics } = generate("export interface A { call(): void }", {
 *   fileName: "a.ts",
 * });
 * assert.match(
 *   formatDiagnostic(diagnostics[0]),
 *   /^a\.ts:1:22: error: method name `call` .*\n {2}hint: /,
 * );
 * ```
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const d = diagnostic;
  return `${d.file}:${d.line}:${d.column}: error: ${d.message}\n  hint: ${d.hint}`;
}
