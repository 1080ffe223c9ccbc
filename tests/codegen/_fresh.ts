/**
 * Generates every `testdata/<case>/service.ts` afresh into a temporary
 * directory (beside copies of the case's other sources), so tests check and
 * run what the generator emits TODAY rather than the checked-in
 * `service.gen.ts` files, which only the golden comparison looks at.
 *
 * @module
 */

import { generate } from "../../codegen/mod.ts";

/** The golden cases' directory. */
export const TESTDATA: URL = new URL("./testdata/", import.meta.url);

/** The golden case names, sorted. */
export async function caseNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(TESTDATA)) {
    if (entry.isDirectory) names.push(entry.name);
  }
  return names.sort();
}

/** Freshly generated cases in a temporary directory. */
export interface FreshCases {
  /** The temporary directory (remove it with {@linkcode FreshCases.remove}). */
  readonly dir: string;
  /** Each case's freshly generated file, by case name. */
  readonly files: Readonly<Record<string, string>>;
  /** Removes the directory. */
  remove(): Promise<void>;
}

/**
 * Copies each case's sources (every `.ts` but the checked-in `.gen.ts`) to a
 * temporary directory and writes the generator's output beside them.
 *
 * @returns The directory and the generated files.
 * @throws {Error} When the generator reports a diagnostic for a case.
 */
export async function generateFresh(): Promise<FreshCases> {
  const dir = await Deno.makeTempDir({ prefix: "norpc_fresh_" });
  const files: Record<string, string> = {};
  for (const name of await caseNames()) {
    const from = new URL(`${name}/`, TESTDATA);
    await Deno.mkdir(`${dir}/${name}`);
    for await (const entry of Deno.readDir(from)) {
      if (
        entry.isFile && entry.name.endsWith(".ts") &&
        !entry.name.endsWith(".gen.ts")
      ) {
        await Deno.copyFile(
          new URL(entry.name, from),
          `${dir}/${name}/${entry.name}`,
        );
      }
    }
    const result = generate(
      await Deno.readTextFile(new URL("service.ts", from)),
      { fileName: `tests/codegen/testdata/${name}/service.ts` },
    );
    if (result.code === undefined || result.diagnostics.length > 0) {
      throw new Error(
        `generating ${name}: ${JSON.stringify(result.diagnostics)}`,
      );
    }
    const file = `${dir}/${name}/service.gen.ts`;
    await Deno.writeTextFile(file, result.code);
    files[name] = file;
  }
  return {
    dir,
    files,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}
