/**
 * Golden tests: the generator's output for each `testdata/<case>/service.ts`
 * must equal the checked-in `service.gen.ts` (regenerate with `deno task gen`
 * and review the diff); the output generated now (not the checked-in file)
 * must be `deno fmt`-clean and type-check.
 */

import assert from "node:assert/strict";
import { generate } from "../../codegen/mod.ts";
import { deno, REPO } from "./_helpers.ts";
import { generateFresh } from "./_fresh.ts";

const testdata = new URL("./testdata/", import.meta.url);

async function cases(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(testdata)) {
    if (entry.isDirectory) names.push(entry.name);
  }
  return names.sort();
}

function firstDifference(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}:\n  expected: ${a[i]}\n  actual:   ${b[i]}`;
    }
  }
  return "(no difference)";
}

Deno.test("golden: generated code matches the checked-in files", async (t) => {
  const names = await cases();
  assert.ok(names.length >= 3, `expected golden cases, found ${names}`);
  for (const name of names) {
    await t.step(name, async () => {
      const input = new URL(`${name}/service.ts`, testdata);
      const golden = new URL(`${name}/service.gen.ts`, testdata);
      const result = generate(await Deno.readTextFile(input), {
        fileName: `tests/codegen/testdata/${name}/service.ts`,
      });
      assert.deepEqual(result.diagnostics, []);
      const expected = await Deno.readTextFile(golden);
      assert.ok(
        result.code === expected,
        `${name}/service.gen.ts drifted; run \`deno task gen\` and review the diff.\n${
          firstDifference(expected, result.code ?? "")
        }`,
      );
    });
  }
});

Deno.test("golden: output is deterministic and independent of the input's directory", () => {
  const source = Deno.readTextFileSync(
    new URL("basic/service.ts", testdata),
  );
  const a = generate(source, { fileName: "basic/service.ts" });
  const b = generate(source, { fileName: "/elsewhere/deep/service.ts" });
  const c = generate(source, { fileName: "basic/service.ts" });
  assert.ok(a.code !== undefined);
  assert.equal(a.code, b.code);
  assert.equal(a.code, c.code);
});

Deno.test("golden: freshly generated files (not the checked-in ones) are deno fmt-clean and type-check", async () => {
  const fresh = await generateFresh();
  try {
    const files = Object.values(fresh.files);
    assert.ok(files.length >= 3, `expected golden cases, found ${files}`);
    const fmt = await deno(["fmt", "--check", ...files]);
    assert.equal(fmt.code, 0, `deno fmt --check failed:\n${fmt.stderr}`);
    // The repository's config maps "@norpc/norpc" to the runtime.
    const check = await deno([
      "check",
      "--quiet",
      "--config",
      new URL("deno.json", REPO).pathname,
      ...files,
    ]);
    assert.equal(check.code, 0, `deno check failed:\n${check.stderr}`);
  } finally {
    await fresh.remove();
  }
});
