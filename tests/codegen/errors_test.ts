/**
 * Unsupported input fails with `file:line:col`, what is wrong and how to fix
 * it: one test per case.
 */

import assert from "node:assert/strict";
import {
  type Diagnostic,
  formatDiagnostic,
  generate,
} from "../../codegen/mod.ts";

/**
 * Generates `source` (strict: members left out are errors too) and returns
 * its first diagnostic (asserting no code).
 */
function fail(source: string, interfaces?: string[]): Diagnostic {
  const result = generate(source, {
    fileName: "svc.ts",
    interfaces,
    strict: true,
  });
  assert.equal(result.code, undefined);
  assert.ok(result.diagnostics.length >= 1, "expected a diagnostic");
  const d = result.diagnostics[0];
  assert.equal(d.file, "svc.ts");
  assert.ok(d.message.length > 0 && d.hint.length > 0);
  return d;
}

function expectAt(
  d: Diagnostic,
  code: string,
  line: number,
  column: number,
  message?: RegExp,
): void {
  assert.deepEqual(
    { code: d.code, line: d.line, column: d.column },
    { code, line, column },
    formatDiagnostic(d),
  );
  if (message) assert.match(d.message, message);
}

const cases: {
  name: string;
  source: string;
  code: string;
  line: number;
  column: number;
  message?: RegExp;
  hint?: RegExp;
  interfaces?: string[];
}[] = [
  {
    name: "generic interface",
    source: "export interface Repo<T> {\n  get(id: string): T;\n}\n",
    code: "generic-interface",
    line: 1,
    column: 23,
    hint:
      /`T = unknown`.*`export interface MyRepo extends Repo<Concrete> \{\}`/,
  },
  {
    name: "property member (strict)",
    source:
      "export interface Svc {\n  hello(): void;\n  readonly greeting: string;\n}\n",
    code: "property-member",
    line: 3,
    column: 3,
    hint: /through a method, `getGreeting\(\): T;`/,
  },
  {
    name: "index signature",
    source:
      "export interface Svc {\n  hello(): void;\n  [name: string]: unknown;\n}\n",
    code: "index-signature",
    line: 3,
    column: 3,
  },
  {
    name: "rest parameter without an array type",
    source:
      "export interface Svc {\n  sum(...xs: Iterable<number>): number;\n}\n",
    code: "rest-parameter",
    line: 2,
    column: 7,
    hint: /`\.\.\.xs: X\[\]`.*`xs: Iterable<number>`/,
  },
  {
    name: "method named call",
    source: "export interface Svc {\n  call(x: string): void;\n}\n",
    code: "reserved-name",
    line: 2,
    column: 3,
    message: /`call`/,
  },
  {
    name: "method named then (would make the client a thenable)",
    source: "export interface Svc {\n  then(x: string): void;\n}\n",
    code: "reserved-name",
    line: 2,
    column: 3,
  },
  {
    name: "method named constructor",
    source: 'export interface Svc {\n  "constructor"(): void;\n}\n',
    code: "method-name",
    line: 2,
    column: 3,
  },
  {
    name: "duplicate interface names",
    source:
      "export interface Svc {\n  a(): void;\n}\nexport interface Svc {\n  b(): void;\n}\n",
    code: "duplicate-interface",
    line: 4,
    column: 18,
    hint: /merge/,
  },
  {
    name: "no exported interface",
    source: "interface Hidden {\n  a(): void;\n}\nexport const x = 1;\n",
    code: "no-interface",
    line: 1,
    column: 1,
  },
  {
    name: "exported interfaces without methods",
    source: "export interface Data {\n  a: string;\n}\n",
    code: "no-service",
    line: 1,
    column: 18,
  },
  {
    name: "syntax error",
    source: "export interface Svc {\n  hello(name: string: string;\n}\n",
    code: "syntax",
    line: 2,
    column: 21,
    message: /syntax error/,
  },
  {
    name: "local type that is not exported",
    source:
      "interface Point { x: number }\nexport interface Svc {\n  at(p: Point): void;\n}\n",
    code: "not-exported",
    line: 3,
    column: 9,
    hint: /add `export`/,
  },
  {
    name: "missing return type",
    source: "export interface Svc {\n  a(x: string);\n}\n",
    code: "missing-type",
    line: 2,
    column: 3,
  },
  {
    name: "missing parameter type",
    source: "export interface Svc {\n  a(x): void;\n}\n",
    code: "missing-type",
    line: 2,
    column: 5,
  },
  {
    name: "interface extends one from another file",
    source:
      'import type { Base } from "./base.ts";\nexport interface Svc extends Base {\n  b(): void;\n}\n',
    code: "extends",
    line: 2,
    column: 30,
    message: /comes from "\.\/base\.ts"/,
    hint:
      /declare the methods of `Base` you need in `Svc`, or run the generator on the file that declares `Base`/,
  },
  {
    name: "call signature",
    source: "export interface Svc {\n  a(): void;\n  (x: string): void;\n}\n",
    code: "call-signature",
    line: 3,
    column: 3,
  },
  {
    name: "destructured parameter",
    source: "export interface Svc {\n  a({ x }: { x: string }): void;\n}\n",
    code: "parameter-pattern",
    line: 2,
    column: 5,
  },
  {
    name: "named interface not found",
    source: "export interface Svc {\n  a(): void;\n}\n",
    interfaces: ["Other"],
    code: "interface-not-found",
    line: 1,
    column: 1,
    hint: /Svc/,
  },
  {
    name: "named interface not exported",
    source: "interface Svc {\n  a(): void;\n}\n",
    interfaces: ["Svc"],
    code: "not-exported",
    line: 1,
    column: 11,
  },
  {
    name: "two interfaces generating the same name",
    source:
      "export interface Foo {\n  a(): void;\n}\nexport interface foo {\n  b(): void;\n}\n",
    code: "name-clash",
    line: 4,
    column: 1,
    message: /fooServer/,
  },
  {
    name: "parameter named with a strict-mode reserved word",
    source: "export interface Svc {\n  a(yield: string): void;\n}\n",
    code: "parameter-name",
    line: 2,
    column: 5,
  },
  {
    name: "type predicate result",
    source: "export interface Svc {\n  is(x: unknown): x is string;\n}\n",
    code: "unsupported-type",
    line: 2,
    column: 19,
  },
];

for (const c of cases) {
  Deno.test(`errors: ${c.name}`, () => {
    const d = fail(c.source, c.interfaces);
    expectAt(d, c.code, c.line, c.column, c.message);
    if (c.hint) assert.match(d.hint, c.hint);
  });
}

Deno.test("errors: every problem is reported, not just the first", () => {
  const result = generate(
    "export interface Svc {\n  call(): void;\n  f(...xs: Set<string>): void;\n  g: string;\n}\n",
    { fileName: "svc.ts", strict: true },
  );
  assert.deepEqual(result.diagnostics.map((d) => d.code), [
    "reserved-name",
    "rest-parameter",
    "property-member",
  ]);
});

Deno.test("errors: formatDiagnostic gives file:line:col, message and hint", () => {
  const d = fail("export interface Svc {\n  call(x: string): void;\n}\n");
  const text = formatDiagnostic(d);
  const [first, second, ...rest] = text.split("\n");
  assert.match(first, /^svc\.ts:2:3: error: method name `call` clashes/);
  assert.match(second, /^ {2}hint: rename it/);
  assert.deepEqual(rest, []);
});

Deno.test("errors: data interfaces beside a service are skipped, not errors", () => {
  const result = generate(
    "export interface Point {\n  x: number;\n}\nexport interface Svc {\n  at(p: Point): Point;\n}\n",
    { fileName: "svc.ts" },
  );
  assert.deepEqual(result.diagnostics, []);
  assert.match(result.code ?? "", /export class SvcClient/);
  assert.doesNotMatch(result.code ?? "", /PointClient/);
});

Deno.test("errors: a type imported from the runtime itself is not a clash", () => {
  const result = generate(
    'import type { CallOptions } from "@norpc/norpc";\nexport interface Svc {\n  f(o: CallOptions): void;\n}\n',
    { fileName: "svc.ts" },
  );
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.code?.match(/CallOptions,?\n/g)?.length, 1);
});
