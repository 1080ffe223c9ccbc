/**
 * Checks that every name a service interface's parameter and result types
 * refer to resolves: declared in the file, imported, or a global of
 * TypeScript's libraries or Deno. The generated file copies those types, so
 * a misspelled `Strin` would otherwise surface later, located in the
 * generated file; here it is reported at `file:line:col` of the source.
 *
 * The check runs the TypeScript checker on the input alone (no libraries, no
 * imports followed: fast and free of file access), keeps the "cannot find
 * name" errors at the names the generated file copies, and drops those that
 * name a known global.
 *
 * @module
 */

import ts from "typescript";
import type { Diagnostic } from "./diagnostic.ts";
import { singleFileProgram } from "./_program.ts";
import { GLOBAL_NAMES } from "./_globals.ts";

/** TypeScript's "cannot find name / namespace" errors (with and without a suggestion). */
const CANNOT_FIND: ReadonlySet<number> = new Set([
  2304, // Cannot find name 'X'.
  2503, // Cannot find namespace 'X'.
  2552, // Cannot find name 'X'. Did you mean 'Y'?
  2580, // … Do you need to install type definitions for node?
  2581,
  2582,
  2583, // … Do you need to change your target library?
  2584,
  2591,
  2592,
  2593,
]);

/** The keyword types a misspelling most often means. */
const KEYWORD_TYPES = [
  "string",
  "number",
  "boolean",
  "bigint",
  "symbol",
  "object",
  "unknown",
  "never",
  "undefined",
  "null",
  "void",
];

/**
 * Reports the names the generated code would copy from the source that
 * resolve to nothing.
 *
 * @param sourceText The input file's text.
 * @param fileName The input's name, for diagnostics.
 * @param references Each name the generated file refers to, with the node
 *   (an identifier) where the source first uses it.
 * @returns One diagnostic per unresolved name, in source order.
 */
export function unresolvedNames(
  sourceText: string,
  fileName: string,
  references: ReadonlyMap<string, ts.Node>,
): Diagnostic[] {
  if (references.size === 0) return [];
  // The checker's own name for the input: a user's file name may lack the
  // `.ts` extension a program needs (positions are the same either way).
  const sf = ts.createSourceFile(
    "/input.ts",
    sourceText,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const byStart = new Map<number, string>();
  for (const [name, node] of references) {
    byStart.set(node.getStart(node.getSourceFile()), name);
  }
  const out: Diagnostic[] = [];
  for (const d of semanticDiagnostics(sf)) {
    if (!CANNOT_FIND.has(d.code) || d.start === undefined) continue;
    const name = byStart.get(d.start);
    if (name === undefined || GLOBAL_NAMES.has(name)) continue;
    const lc = sf.getLineAndCharacterOfPosition(d.start);
    const suggestion = closest(name, candidates(sf));
    out.push({
      file: fileName,
      line: lc.line + 1,
      column: lc.character + 1,
      code: "unresolved-name",
      message: `cannot find the type \`${name}\``,
      hint: suggestion !== undefined
        ? `did you mean \`${suggestion}\`? Otherwise declare \`${name}\` in this file or import it`
        : `declare \`${name}\` in this file or import it (\`import type { ${name} } from "./…";\`)`,
    });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function semanticDiagnostics(sf: ts.SourceFile): readonly ts.Diagnostic[] {
  return singleFileProgram(sf).getSemanticDiagnostics(sf);
}

/** The names a misspelling may have meant: keywords, the file's own, globals. */
function candidates(sf: ts.SourceFile): string[] {
  const names = [...KEYWORD_TYPES];
  const visit = (node: ts.Node) => {
    if (
      (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) ||
        ts.isClassDeclaration(node) || ts.isEnumDeclaration(node) ||
        ts.isImportSpecifier(node) || ts.isImportClause(node) ||
        ts.isNamespaceImport(node)) && node.name
    ) names.push(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...names, ...GLOBAL_NAMES];
}

/**
 * The candidate nearest to `name` in edit distance, ignoring case, if near
 * enough to be a misspelling of it; on a tie the earlier candidate wins (so
 * `Strin` suggests the keyword `string` before the global `String`).
 */
function closest(name: string, names: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of names) {
    if (candidate === name) continue;
    if (Math.abs(candidate.length - name.length) > limit) continue;
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + sub);
    }
    prev = row;
  }
  return prev[b.length];
}
