/**
 * Unresolved type names are reported at the source's `file:line:col`; names
 * that are declared, imported or global are not.
 */

import assert from "node:assert/strict";
import { generate } from "../../codegen/mod.ts";

function unresolved(source: string): string[] {
  return generate(source, { fileName: "svc.ts" }).diagnostics
    .filter((d) => d.code === "unresolved-name")
    .map((d) => `${d.line}:${d.column} ${d.message} | ${d.hint}`);
}

Deno.test("names: a misspelled or undeclared type is reported where it is used", () => {
  assert.deepEqual(
    unresolved(
      "export interface Svc {\n  get(k: Strin): Nope;\n  put(r: Recrd<string, number>): void;\n}\n",
    ),
    [
      "2:10 cannot find the type `Strin` | did you mean `string`? Otherwise declare `Strin` in this file or import it",
      "2:18 cannot find the type `Nope` | did you mean `Node`? Otherwise declare `Nope` in this file or import it",
      "3:10 cannot find the type `Recrd` | did you mean `Record`? Otherwise declare `Recrd` in this file or import it",
    ],
  );
});

Deno.test("names: roots of qualified names and typeof queries are checked too", () => {
  assert.deepEqual(
    unresolved(
      "export interface Svc {\n  a(x: Missing.Inner): void;\n  b(x: typeof nothing): void;\n}\n",
    ),
    [
      '2:8 cannot find the type `Missing` | declare `Missing` in this file or import it (`import type { Missing } from "./…";`)',
      '3:15 cannot find the type `nothing` | declare `nothing` in this file or import it (`import type { nothing } from "./…";`)',
    ],
  );
});

Deno.test("names: declared, imported and global names resolve", () => {
  const source = `import type { User } from "./user.ts";
import type * as dep from "./dep.ts";
declare global {
  interface AppConfig {
    debug: boolean;
  }
}
export interface Point {
  x: number;
}
export type Id = string;
export interface Svc {
  a(u: User, d: dep.Thing, p: Point, id: Id, c: AppConfig): Promise<Id>;
  b(r: Record<string, Uint8Array>, m: Map<Id, Date>, s: AbortSignal): void;
  c(f: Deno.FsFile, t: NodeJS.Timeout, b: Buffer, e: HTMLElement): Blob;
}
`;
  const result = generate(source, { fileName: "svc.ts" });
  assert.deepEqual(result.diagnostics, []);
  assert.match(result.code ?? "", /export class SvcClient/);
});

Deno.test("names: a file name without .ts is checked the same way", () => {
  const result = generate("export interface Svc { f(x: Nope): void }", {
    fileName: "service",
  });
  assert.deepEqual(
    result.diagnostics.map((d) => [d.file, d.line, d.column, d.code]),
    [["service", 1, 29, "unresolved-name"]],
  );
});
