/**
 * Property test of issue 17's features together: interfaces mixing methods,
 * overloads, generic and optional methods, function-typed properties, rest
 * parameters, promise-likes not spelled `Promise`, data properties, generic
 * defaults and `extends` always generate code that passes `deno check`
 * (one subprocess for the whole sample) and calls that run through `spawn`.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { generate } from "../../codegen/mod.ts";
import { deno } from "./_helpers.ts";

const SEED = 20261203;

const PREAMBLE = [
  "export interface Thenable<T> extends PromiseLike<T> {}",
  "export type Async<T> = Promise<T>;",
  "export interface Item {",
  "  id: string;",
  "}",
  "interface Base<T> {",
  "  base(x: T): Thenable<T>;",
  "}",
];

/** Member templates; `N` is replaced by a name unique in the interface. */
const MEMBERS = [
  "N(a: string): Promise<number>;",
  "N<T>(x: T): Promise<T[]>;",
  "N<T extends object = {}>(x: T, k?: keyof T): T;",
  "N?(a: number): Thenable<string>;",
  "N: (a: string, b?: number) => Async<boolean>;",
  "N?: (item: Item) => void;",
  "N(...xs: string[]): number;",
  "N(a: string, ...rest: [number, boolean]): void;",
  "readonly N: string;",
  "N(cb: (e: Error | null, v?: Item) => void): void;",
  "N(a: string): string;\n  N(a: number, b: boolean): number;",
  "N<T>(k: string): T | undefined;\n  N<T>(k: string, d: T): T;",
  "N(): ReturnType<() => Promise<string>>;",
  "N(): globalThis.Promise<Date> | Thenable<Item>;",
  "N(x: Item | null, options?: { deep: boolean }): Promise<Item[]>;",
];

const HEADERS = [
  "export interface Svc {",
  "export interface Svc<T = Item> {\n  own(x: T): Async<T>;",
  "export interface Svc extends Base<Item> {",
  "export type Svc = {",
];

const inputArb = fc.record({
  header: fc.nat({ max: HEADERS.length - 1 }),
  members: fc.array(fc.nat({ max: MEMBERS.length - 1 }), {
    minLength: 1,
    maxLength: 6,
  }),
}).map(({ header, members }) => {
  const lines = [...PREAMBLE, HEADERS[header]];
  members.forEach((m, i) =>
    lines.push("  " + MEMBERS[m].replaceAll("N", `m${i}`))
  );
  lines.push(header === 3 ? "};" : "}");
  return lines.join("\n") + "\n";
});

Deno.test("features fuzz: every mix generates code that type-checks and formats", async () => {
  const samples = fc.sample(inputArb, { seed: SEED, numRuns: 40 });
  const dir = await Deno.makeTempDir({ prefix: "norpc_features_" });
  try {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        imports: {
          "@norpc/norpc": new URL("../../mod.ts", import.meta.url).href,
        },
      }),
    );
    const files: string[] = [];
    for (const [i, source] of samples.entries()) {
      const fileName = `${dir}/in${i}.ts`;
      const result = generate(source, { fileName });
      // A service of data properties only is refused: nothing to serve.
      if (result.code === undefined) {
        assert.deepEqual(
          result.diagnostics.map((d) => d.code),
          ["no-methods"],
          source,
        );
        continue;
      }
      assert.deepEqual(result.diagnostics, [], source);
      await Deno.writeTextFile(fileName, source);
      await Deno.writeTextFile(`${dir}/in${i}.gen.ts`, result.code);
      files.push(fileName, `${dir}/in${i}.gen.ts`);
    }
    assert.ok(files.length >= 60, `${files.length / 2} generated`);
    const check = await deno(["check", "--quiet", ...files], dir);
    assert.equal(check.code, 0, check.stderr);
    const generated = files.filter((f) => f.endsWith(".gen.ts"));
    const fmt = await deno(["fmt", "--check", ...generated], dir);
    assert.equal(fmt.code, 0, fmt.stderr + fmt.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
