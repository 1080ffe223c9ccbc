/**
 * Shapes issue 17's features meet in (overloads with generic and optional
 * declarations, generic properties, cyclic and generic `extends`, names
 * like the generated ones, a global script): every output passes
 * `deno check` and `deno fmt --check` in one subprocess each.
 */

import assert from "node:assert/strict";
import { generate } from "../../codegen/mod.ts";
import { defaultOutFileName } from "../../codegen/parse.ts";
import { deno } from "./_helpers.ts";

const DIR = new URL("./shapes/", import.meta.url);

Deno.test("shapes: every combination generates code that type-checks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "norpc_shapes_" });
  try {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        imports: {
          "@norpc/norpc": new URL("../../mod.ts", import.meta.url).href,
        },
      }),
    );
    const outs: string[] = [];
    for (const e of Deno.readDirSync(DIR)) {
      const source = await Deno.readTextFile(new URL(e.name, DIR));
      const fileName = `${dir}/${e.name}`;
      await Deno.writeTextFile(fileName, source);
      const result = generate(source, { fileName });
      assert.deepEqual(result.diagnostics, [], e.name);
      const out = defaultOutFileName(fileName);
      await Deno.writeTextFile(out, result.code!);
      outs.push(out);
    }
    assert.equal(outs.length, 5);
    const check = await deno(["check", "--quiet", ...outs], dir);
    assert.equal(check.code, 0, check.stderr);
    const fmt = await deno(["fmt", "--check", ...outs], dir);
    assert.equal(fmt.code, 0, fmt.stderr + fmt.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
