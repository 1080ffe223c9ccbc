/**
 * The command line on inputs issue 17 made it accept: what is left out is
 * printed as a located warning (exit 0), `--strict` makes it an error
 * (exit 1), and a `.d.ts` input writes `<name>.gen.ts`.
 */

import assert from "node:assert/strict";
import { deno } from "./_helpers.ts";

const MAIN = new URL("../../codegen/main.ts", import.meta.url).pathname;

const CHANNEL = `export interface Channel {
  readonly name: string;
  send(text: string): void;
}
`;

Deno.test("cli: members left out are located warnings; --strict refuses them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "norpc_cli17_" });
  try {
    await Deno.writeTextFile(`${dir}/channel.ts`, CHANNEL);
    const run = (...args: string[]) =>
      deno([
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        MAIN,
        ...args,
      ], dir);

    const lenient = await run("channel.ts");
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(
      lenient.stderr,
      /^channel\.ts:2:3: warning: `name` is a property, not an operation; it is left out of the service\n {2}hint: .*`getName\(\): T;`/m,
    );
    assert.match(await Deno.readTextFile(`${dir}/channel.gen.ts`), /send\(/);

    await Deno.remove(`${dir}/channel.gen.ts`);
    const strict = await run("--strict", "channel.ts");
    assert.equal(strict.code, 1);
    assert.match(
      strict.stderr,
      /^channel\.ts:2:3: error: `name` is a property/m,
    );
    await assert.rejects(
      Deno.stat(`${dir}/channel.gen.ts`),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: a .d.ts input writes <name>.gen.ts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "norpc_cli17_" });
  try {
    await Deno.writeTextFile(
      `${dir}/api.d.ts`,
      "export interface Api {\n  get(id: string): Promise<string>;\n}\n",
    );
    const out = await deno(
      ["run", "--allow-read", "--allow-write", "--allow-env", MAIN, "api.d.ts"],
      dir,
    );
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /wrote 1 file \(api\.gen\.ts\)/);
    assert.match(
      await Deno.readTextFile(`${dir}/api.gen.ts`),
      /export class ApiClient/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --type-args instantiates a generic interface", async () => {
  const dir = await Deno.makeTempDir({ prefix: "norpc_cli17_" });
  try {
    await Deno.writeTextFile(
      `${dir}/repo.ts`,
      "export interface User {\n  id: string;\n}\nexport interface Repo<T> {\n  get(id: string): Promise<T>;\n}\n",
    );
    const run = (...args: string[]) =>
      deno(
        ["run", "--allow-read", "--allow-write", "--allow-env", MAIN, ...args],
        dir,
      );
    const refused = await run("repo.ts");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /hint: .*--type-args "Repo=Concrete"/);
    const given = await run("--type-args", "Repo=User", "repo.ts");
    assert.equal(given.code, 0, given.stderr);
    assert.match(
      await Deno.readTextFile(`${dir}/repo.gen.ts`),
      /get\(id: string, options\?: CallOptions\): Promise<User>/,
    );
    const usage = await run("--type-args", "Repo", "repo.ts");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--type-args takes <Name>=<types>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: a directory walk takes function-property services, global declarations and imported promise aliases", async () => {
  const dir = await Deno.makeTempDir({ prefix: "norpc_cli17_" });
  try {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(
      `${dir}/src/types.ts`,
      "export type Async<T> = Promise<T>;\nexport const VERSION = 1;\n",
    );
    await Deno.writeTextFile(
      `${dir}/src/users.ts`,
      'import type { Async } from "./types.ts";\n' +
        "declare global {\n  interface Person {\n    id: string;\n  }\n}\n" +
        "export interface Users {\n  find: (id: string) => Async<Person>;\n}\n",
    );
    const run = await deno(
      ["run", "--allow-read", "--allow-write", "--allow-env", MAIN, "src"],
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /wrote 1 file \(src\/users\.gen\.ts\)/);
    const out = await Deno.readTextFile(`${dir}/src/users.gen.ts`);
    // The alias in the other file is read: the response is the person.
    assert.match(out, /\n {2}find: Person;\n/);
    assert.match(out, /import type \{\} from "\.\/users\.ts";/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
