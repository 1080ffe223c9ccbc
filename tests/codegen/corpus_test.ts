/**
 * The generator on interfaces people already have (see
 * `corpus/manifest.ts`): every case either generates code that passes
 * `deno check` and `deno fmt --check` and serves one call through `spawn`,
 * or is refused with a located diagnostic whose hint is checked. No case
 * yields a broken output.
 */

import assert from "node:assert/strict";
import { formatDiagnostic, generate } from "../../codegen/mod.ts";
import { defaultOutFileName } from "../../codegen/parse.ts";
import { serviceNames } from "../../codegen/emit.ts";
import { spawn } from "../../mod.ts";
import { CORPUS } from "./corpus/manifest.ts";
import { deno } from "./_helpers.ts";

const CORPUS_DIR = new URL("./corpus/", import.meta.url);

/**
 * A handler whose every method answers which method ran and its first
 * `arity` arguments (an overloaded method's handler also receives the
 * positions of longer overloads, then the call options).
 */
function stubHandler(arity: number): Record<string, unknown> {
  return new Proxy({}, {
    get: (_target, method) =>
      typeof method === "string"
        ? (...args: unknown[]) => ({ stub: method, args: args.slice(0, arity) })
        : undefined,
  });
}

Deno.test("corpus: at least 30 real interfaces, each with its source", async () => {
  assert.ok(CORPUS.length >= 30, `${CORPUS.length} cases`);
  for (const c of CORPUS) {
    const text = await Deno.readTextFile(new URL(c.file, CORPUS_DIR));
    const recorded = /SOURCE =\s+"([^"]+)"/.exec(text)?.[1];
    assert.equal(recorded, c.source, c.file);
  }
});

Deno.test("corpus: each case generates working code or is refused with a hint", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "norpc_corpus_" });
  try {
    await Deno.mkdir(`${dir}/_stubs`);
    for await (const e of Deno.readDir(new URL("_stubs/", CORPUS_DIR))) {
      await Deno.copyFile(
        new URL(`_stubs/${e.name}`, CORPUS_DIR),
        `${dir}/_stubs/${e.name}`,
      );
    }
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        imports: {
          "@norpc/norpc": new URL("../../mod.ts", import.meta.url).href,
        },
        compilerOptions: { strict: true },
      }),
    );
    const generated: { file: string; out: string; smokeIndex: number }[] = [];
    for (const [i, c] of CORPUS.entries()) {
      const source = await Deno.readTextFile(new URL(c.file, CORPUS_DIR));
      const fileName = `${dir}/${c.file}`;
      await Deno.writeTextFile(fileName, source);
      const result = generate(source, { fileName });
      if ("refused" in c.expect) {
        assert.equal(result.code, undefined, `${c.file} should be refused`);
        const d = result.diagnostics[0];
        assert.ok(d, `${c.file}: a diagnostic`);
        assert.equal(d.file, fileName);
        assert.deepEqual(
          { code: d.code, line: d.line },
          { code: c.expect.refused, line: c.expect.line },
          formatDiagnostic(d),
        );
        assert.ok(d.column >= 1);
        assert.match(d.hint, c.expect.hint, formatDiagnostic(d));
        continue;
      }
      assert.deepEqual(
        result.diagnostics.map((d) => formatDiagnostic(d)),
        [],
        `${c.file} should generate`,
      );
      assert.deepEqual(
        (result.warnings ?? []).map((w) => w.code),
        c.expect.warnings ?? [],
        `${c.file}: warnings\n${
          (result.warnings ?? []).map((w) => formatDiagnostic(w))
            .join("\n")
        }`,
      );
      const out = defaultOutFileName(fileName);
      assert.match(out, /[^d]\.gen\.ts$|\/[^/.]+\.gen\.ts$/);
      await Deno.writeTextFile(out, result.code!);
      generated.push({ file: c.file, out, smokeIndex: i });
    }

    await t.step(
      "every output passes deno check and deno fmt --check",
      async () => {
        const outs = generated.map((g) => g.out);
        const check = await deno(["check", "--quiet", ...outs], dir);
        assert.equal(check.code, 0, check.stderr);
        const fmt = await deno(["fmt", "--check", ...outs], dir);
        assert.equal(fmt.code, 0, fmt.stderr + fmt.stdout);
        const lint = await deno(["lint", ...outs], dir);
        assert.equal(lint.code, 0, lint.stderr + lint.stdout);
      },
    );

    await t.step("one call through spawn per generated case", async () => {
      for (const g of generated) {
        const c = CORPUS[g.smokeIndex];
        if ("refused" in c.expect) continue;
        const { service, method, args } = c.expect.smoke;
        const received = c.expect.smoke.handlerArgs ?? args;
        const names = serviceNames(service);
        const mod = await import(new URL(`file://${g.out}`).href);
        const { client, server } = spawn(
          mod[names.server](stubHandler(received.length)),
        );
        try {
          const typed = new mod[names.client](client);
          const result = await typed[method](...args);
          assert.deepEqual(
            result,
            { stub: method, args: received },
            `${c.file}: ${service}.${method}`,
          );
        } finally {
          await server.close();
        }
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
