/**
 * The layout engine against `deno fmt` itself: random service definitions
 * (random names and nested types, short and long) are generated, and every
 * output must be `deno fmt`-clean and type-check. Plus unit tests of the
 * pretty printer and the path arithmetic.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { generate } from "../../codegen/mod.ts";
import {
  group,
  indent,
  line,
  list,
  render,
  softline,
} from "../../codegen/doc.ts";
import { quoteString } from "../../codegen/types.ts";
import { normalize, relative, specifierTo } from "../../codegen/path.ts";
import { deno } from "./_helpers.ts";

const NAMES = [
  "a",
  "id",
  "name",
  "value",
  "userIdentifier",
  "anotherRatherLongParameterName",
  "aVeryVeryLongParameterNameThatTakesUpMostOfTheLine",
];
/** Exported types declared in every random input, to refer to. */
const DECLARED = ["Alpha", "Beta", "SomewhatLongDeclaredTypeNameNumberOne"];

const identifier = fc.constantFrom(...NAMES);
const leaf = fc.oneof(
  fc.constantFrom(
    "string",
    "number",
    "boolean",
    "unknown",
    "bigint",
    "null",
    "undefined",
    "Date",
    "Uint8Array",
    ...DECLARED,
  ),
  fc.constantFrom(
    '"x"',
    "'single'",
    '"a rather long string literal type"',
    "42",
    "-1",
    "true",
  ),
);

const typeArb = fc.letrec<{ type: string }>((tie) => ({
  type: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("type").map((t) => `Array<${t}>`),
    leaf.map((t) => `${t}[]`),
    fc.array(tie("type"), { minLength: 2, maxLength: 4 }).map((ts) =>
      `(${ts.join(" | ")})[]`
    ),
    fc.array(tie("type"), { minLength: 2, maxLength: 4 }).map((ts) =>
      ts.join(" | ")
    ),
    fc.uniqueArray(fc.tuple(identifier, fc.boolean(), tie("type")), {
      minLength: 1,
      maxLength: 4,
      selector: ([n]) => n,
    }).map((props) =>
      `{ ${
        props.map(([n, opt, t]) => `${n}${opt ? "?" : ""}: ${t}`).join("; ")
      } }`
    ),
    fc.array(fc.tuple(identifier, tie("type")), { minLength: 0, maxLength: 3 })
      .map((els) => `[${els.map(([n, t], i) => `${n}${i}: ${t}`).join(", ")}]`),
    fc.array(tie("type"), { minLength: 1, maxLength: 3 }).map((ts) =>
      `[${ts.join(", ")}]`
    ),
    fc.tuple(tie("type"), tie("type")).map(([k, v]) =>
      `Record<string, ${k} | ${v}>`
    ),
    fc.tuple(tie("type"), tie("type")).map(([k, v]) => `Map<${k}, ${v}>`),
    fc.tuple(
      fc.array(fc.tuple(identifier, tie("type")), { maxLength: 3 }),
      tie("type"),
    )
      .map(([ps, r]) =>
        `((${ps.map(([n, t], i) => `${n}${i}: ${t}`).join(", ")}) => ${r})`
      ),
    fc.tuple(tie("type"), tie("type")).map(([a, b]) =>
      `{ first: ${a} } & { second: ${b} }`
    ),
    tie("type").map((t) => `{ inner: ${t} } | null`),
  ),
}));

const methodArb = fc.record({
  params: fc.uniqueArray(fc.tuple(identifier, typeArb.type), {
    maxLength: 4,
    selector: ([n]) => n,
  }),
  optionalTail: fc.boolean(),
  result: typeArb.type,
  promise: fc.boolean(),
});

const serviceArb = fc.record({
  name: fc.constantFrom(
    "S",
    "Greeter",
    "InventoryManagementService",
    "AQuiteLongServiceNameForTestingLineWidths",
  ),
  methods: fc.uniqueArray(
    fc.tuple(
      fc.constantFrom(
        "get",
        "put",
        "listEverything",
        "computeTheAnswerToTheUltimateQuestion",
        "x",
      ),
      methodArb,
    ),
    { minLength: 1, maxLength: 4, selector: ([n]) => n },
  ),
});

function source(
  service: fc.Arbitrary<unknown> extends never ? never : {
    name: string;
    methods: [string, {
      params: [string, string][];
      optionalTail: boolean;
      result: string;
      promise: boolean;
    }][];
  },
): string {
  const decls = DECLARED.map((d) => `export type ${d} = { tag: "${d}" };\n`)
    .join("");
  const methods = service.methods.map(([name, m]) => {
    const params = m.params.map(([n, t], i) =>
      `${n}${m.optionalTail && i === m.params.length - 1 ? "?" : ""}: ${t}`
    );
    const result = m.promise ? `Promise<${m.result}>` : m.result;
    return `  ${name}(${params.join(", ")}): ${result};\n`;
  }).join("");
  return `${decls}export interface ${service.name} {\n${methods}}\n`;
}

Deno.test("format: random services generate deno fmt-clean, type-correct code", async () => {
  const samples = fc.sample(serviceArb, { seed: 20260425, numRuns: 80 });
  const dir = await Deno.makeTempDir({ prefix: "norpc_format_" });
  const runtime = new URL("../../mod.ts", import.meta.url).href;
  try {
    const outputs: string[] = [];
    for (const [i, service] of samples.entries()) {
      const input = source(service);
      const result = generate(input, { fileName: `in${i}.ts`, runtime });
      assert.deepEqual(result.diagnostics, [], input);
      await Deno.writeTextFile(`${dir}/in${i}.ts`, input);
      await Deno.writeTextFile(`${dir}/in${i}.gen.ts`, result.code!);
      outputs.push(`${dir}/in${i}.gen.ts`);
    }
    const fmt = await deno(["fmt", "--check", ...outputs], dir);
    assert.equal(fmt.code, 0, fmt.stderr);
    const check = await deno(["check", "--quiet", ...outputs], dir);
    assert.equal(check.code, 0, check.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("format: render fits groups flat, breaks them otherwise", () => {
  const call = (width: number) =>
    render([
      "f",
      list("(", ["alpha", "beta", "gamma"], ")", { trailingComma: true }),
      ";",
    ], width);
  assert.equal(call(80), "f(alpha, beta, gamma);");
  assert.equal(call(10), "f(\n  alpha,\n  beta,\n  gamma,\n);");
  const nested = group(["{", indent([line, "x"]), line, "}"]);
  assert.equal(render(nested, 5), "{ x }");
  assert.equal(render(nested, 4), "{\n  x\n}");
  assert.equal(
    render(group(["[", indent([softline, "a"]), softline, "]"]), 80),
    "[a]",
  );
});

Deno.test("format: a parameter list breaks before its return type does", () => {
  const sig = [
    "f",
    list("(", ["a: string"], ")", { trailingComma: true, restFlat: true }),
    ": ",
    "Promise",
    list("<", ["LongTypeName"], ">", { trailingComma: false }),
    " {",
  ];
  assert.equal(render(sig, 30), "f(\n  a: string,\n): Promise<LongTypeName> {");
});

Deno.test("format: string literal types are re-quoted like deno fmt", () => {
  assert.equal(quoteString("'a'"), '"a"');
  assert.equal(quoteString("'it\\'s'"), '"it\'s"');
  assert.equal(quoteString("'say \"hi\"'"), "'say \"hi\"'");
  assert.equal(quoteString("'a\"b\\'c'"), '"a\\"b\'c"');
  assert.equal(quoteString('"tab\\t"'), '"tab\\t"');
});

Deno.test("format: path arithmetic for import specifiers", () => {
  assert.equal(normalize("a/./b/../c//d.ts"), "a/c/d.ts");
  assert.equal(normalize("../x/../y"), "../y");
  assert.equal(normalize("/a/../../b"), "/b");
  assert.equal(normalize("C:\\src\\x.ts"), "C:/src/x.ts");
  assert.equal(relative("gen", "src/a.ts"), "../src/a.ts");
  assert.equal(relative("/r/gen/out", "/r/src/a.ts"), "../../src/a.ts");
  assert.equal(specifierTo("src", "src/a.ts"), "./a.ts");
  assert.equal(specifierTo(".", "a.ts"), "./a.ts");
  assert.equal(specifierTo("x/y", "x/z/a.ts"), "../z/a.ts");
});
